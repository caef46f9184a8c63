Feature: Counter
  A Counter holds a whole number. `increment` and `decrement` move it by one and `CounterReset n` sets it; each of
  them returns the new value. The `value` attribute pushes a change event only when the counter lands exactly on
  `fire_event_at` (0 unless written otherwise): this is the "zero reached" signal the Tabata devices listen to.
  `polled_value` reads the same number, but its change events come from the server's polling (every 1000 ms, as
  configured by the dsconfig), one per change of at least 1.

  Scenario: Commands return the new value
    When I run the command CounterReset on test/counter/prepare with 5
    Then the command returned 5
    When I run the command increment on test/counter/prepare
    Then the command returned 6
    When I run the command decrement on test/counter/prepare 3 times
    Then the command returned 3
    And test/counter/prepare value is 3

  @smoke
  Scenario: Reaching zero pushes exactly one change event
    Given I run the command CounterReset on test/counter/rest with 3
    And I subscribe to change events on test/counter/rest value
    When I run the command decrement on test/counter/rest 3 times
    Then within 2 s a change event on test/counter/rest value reports 0
    And within 500 ms exactly 1 change event on test/counter/rest value arrives
    When I run the command decrement on test/counter/rest
    Then no further event on test/counter/rest value arrives for 500 ms

  Scenario: fire_event_at moves the trigger
    Given test/counter/cycles fire_event_at is set to 7
    And I run the command CounterReset on test/counter/cycles with 5
    And I subscribe to change events on test/counter/cycles value
    When I run the command increment on test/counter/cycles 2 times
    Then within 2 s a change event on test/counter/cycles value reports 7
    When I run the command CounterReset on test/counter/cycles with 0
    Then no further event on test/counter/cycles value arrives for 500 ms
    # Init puts the counter and its trigger back to 0 (the Tabata device relies on the trigger being 0).
    When I run the command Init on test/counter/cycles
    Then test/counter/cycles fire_event_at is 0
    And test/counter/cycles value is 0

  Scenario: polled_value reports every change through polling
    Given I run the command CounterReset on test/counter/work with 1
    And I subscribe to change events on test/counter/work polled_value
    When I run the command CounterReset on test/counter/work with 42
    Then within 3 s a change event on test/counter/work polled_value reports 42
