Feature: Tabata workout
  A Tabata device (test/tabata/1) drives a workout with five Counter devices: it decrements the counter of the
  current phase every tick and moves on when that counter's change event reports 0. A workout is one PREPARE
  phase, then `cycles` × (WORK, REST) per tabata, `tabatas` times; then the device is OFF again.

  The tick is the `sleep_time` property (1 s upstream), scaled down to 0.1 s for this suite. A phase of N counts
  lasts N ticks, except the first PREPARE, which lasts one tick less: its first count happens the moment the
  workout starts. Phase durations are measured from the changes of `running_state` seen by the client.

  Background:
    Given the tick of test/tabata/1 is 0.1 s
    And the tabata test/tabata/1 is set up with prepare 4, work 5, rest 3, cycles 2 and tabatas 1

  # Timed at a 0.5 s tick: every tick also costs the decrement call (a few ms, more on a busy machine), which is
  # within 5 % of 0.5 s but not always of 0.1 s.
  @smoke @exclusive
  Scenario: A full workout runs its phases in order, each on time
    Given the tick of test/tabata/1 is 0.5 s
    And the tabata test/tabata/1 is set up with prepare 3, work 3, rest 2, cycles 2 and tabatas 1
    And I watch test/tabata/1 running_state
    When I run the command Start on test/tabata/1
    Then the state of test/tabata/1 is ON
    And the workout of test/tabata/1 runs these phases, each within 5 % of its nominal duration:
      | phase   | ticks |
      | PREPARE | 2     |
      | WORK    | 3     |
      | REST    | 2     |
      | WORK    | 3     |
      | REST    | 2     |
    And the state of test/tabata/1 becomes OFF within 1 s
    And test/tabata/1 running_state is PREPARE

  Scenario: Each phase ends with a change event at 0 from its counter
    Given I watch test/tabata/1 running_state
    And I subscribe to change events on test/counter/prepare value
    And I subscribe to change events on test/counter/work value
    And I subscribe to change events on test/counter/rest value
    And I subscribe to change events on test/counter/cycles value
    And I subscribe to change events on test/counter/tabatas value
    When I run the command Start on test/tabata/1
    Then the change events arrive in this order within 5 s:
      | device               | attribute | value |
      | test/counter/prepare | value     | 0     |
      | test/counter/work    | value     | 0     |
      | test/counter/rest    | value     | 0     |
      | test/counter/work    | value     | 0     |
      | test/counter/rest    | value     | 0     |
      | test/counter/cycles  | value     | 0     |
      | test/counter/tabatas | value     | 0     |
    And the state of test/tabata/1 becomes OFF within 1 s

  Scenario: Stop interrupts the workout where it is
    Given I watch test/tabata/1 running_state
    When I run the command Start on test/tabata/1
    And test/tabata/1 running_state becomes WORK within 2 s
    And I run the command Stop on test/tabata/1
    Then the state of test/tabata/1 is OFF
    And test/tabata/1 running_state is WORK
    And test/tabata/1 running_state becomes WORK within 300 ms

  Scenario: ResetCounters puts the counters and the phase back to the start
    When I run the command Start on test/tabata/1
    And test/tabata/1 running_state becomes REST within 2 s
    And I run the command Stop on test/tabata/1
    And I run the command ResetCounters on test/tabata/1
    Then test/tabata/1 running_state is PREPARE
    And test/counter/prepare value is 4
    And test/counter/work value is 5
    And test/counter/rest value is 3
    And test/counter/cycles value is 2
    And test/counter/tabatas value is 1

  Scenario: State goes OFF → ON → OFF and commands are only allowed in the right state
    Then the state of test/tabata/1 is OFF
    When I try to run the command Stop on test/tabata/1
    Then it fails with the reason API_CommandNotAllowed
    When I run the command Start on test/tabata/1
    Then the state of test/tabata/1 is ON
    When I try to run the command Start on test/tabata/1
    Then it fails with the reason API_CommandNotAllowed
    When I try to run the command ResetCounters on test/tabata/1
    Then it fails with the reason API_CommandNotAllowed
    When I try to write 3 to test/tabata/1 work
    Then it fails with an error mentioning "cannot change values when device is running"
    When I run the command Stop on test/tabata/1
    Then the state of test/tabata/1 is OFF

  Scenario: Settings must be positive
    When I try to write 0 to test/tabata/1 work
    Then it fails with an error mentioning "only positive value"
    When I write 0 to test/tabata/1 prepare
    Then test/tabata/1 prepare is 0
