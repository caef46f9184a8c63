Feature: AsyncTabata, a workout as one long-running command
  AsyncTabata (test/asynctabata/1) runs the same workout as Tabata with the AsyncCounter devices test/acounter/*,
  but `Run` only replies when the workout is over: clients send it without waiting for the reply, and the device
  keeps answering State, attribute reads and `Stop` meanwhile. Its tick is a fixed 1 s, so these workouts are short.

  Background:
    Given the tabata test/asynctabata/1 is set up with prepare 2, work 2, rest 1, cycles 1 and tabatas 1

  Scenario: Run replies when the workout is over
    Given I watch test/asynctabata/1 running_state
    When I send the command Run to test/asynctabata/1 without waiting for the reply
    Then the state of test/asynctabata/1 becomes ON within 1 s
    And the command Run on test/asynctabata/1 has not replied yet
    And test/asynctabata/1 running_state goes through PREPARE, WORK, REST within 8 s
    And the command Run on test/asynctabata/1 replies within 3 s
    And the state of test/asynctabata/1 is OFF

  Scenario: Stop interrupts a running Run
    When I send the command Run to test/asynctabata/1 without waiting for the reply
    And test/asynctabata/1 running_state becomes WORK within 3 s
    And I run the command Stop on test/asynctabata/1
    Then the command Run on test/asynctabata/1 replies within 2 s
    And the state of test/asynctabata/1 is OFF
    And test/asynctabata/1 running_state is WORK

  @slow @exclusive
  Scenario: A longer workout, timed
    Given the tabata test/asynctabata/1 is set up with prepare 2, work 3, rest 2, cycles 2 and tabatas 1
    And I watch test/asynctabata/1 running_state
    When I send the command Run to test/asynctabata/1 without waiting for the reply
    Then the workout of test/asynctabata/1 runs these phases, each within 5 % of its nominal duration:
      | phase   | ticks |
      | PREPARE | 1     |
      | WORK    | 3     |
      | REST    | 2     |
      | WORK    | 3     |
      | REST    | 2     |
    And the command Run on test/asynctabata/1 replies within 3 s
