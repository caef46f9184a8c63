Feature: Robustness: a device server dies in the middle of a workout
  Device servers can crash. When one does, its clients must see the failure (calls fail, subscribers get an
  error event once the server's heartbeat is missing for 10 s) and must recover by themselves when it is back
  (subscriptions are made again and events flow again), without restarting anything on the client side.

  Scenario: The counters' server is killed and restarted during a workout
    Given the tick of test/tabata/1 is 0.1 s
    And the tabata test/tabata/1 is set up with prepare 3, work 50, rest 3, cycles 1 and tabatas 1
    And I subscribe to change events on test/counter/work value
    When I run the command Start on test/tabata/1
    And test/tabata/1 running_state becomes WORK within 2 s
    And the device server tabata/counters is killed
    And I try to run the command increment on test/counter/rest
    Then it fails
    And within 12 s an error event on test/counter/work value arrives
    When the device server tabata/counters is restarted
    Then within 5 s change events on test/counter/work value resume
    When I run the command CounterReset on test/counter/work with 0
    Then within 2 s a change event on test/counter/work value reports 0
    When I run the command Stop on test/tabata/1
    Then the state of test/tabata/1 is OFF
