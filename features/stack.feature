@smoke
Feature: The example Tango stack
  The suite deploys the layout of ska-tango-examples from a dsconfig JSON file (infra/config/examples.json):
  a Tango database, and four device servers:

    | server                    | devices                                    |
    | tabata/counters           | test/counter/prepare … tabatas (Counter)   |
    | tabata/tabata             | test/tabata/1 (Tabata)                     |
    | asynctabata/asyncounters  | test/acounter/prepare … tabatas (AsyncCounter) |
    | asynctabata/tabata        | test/asynctabata/1 (AsyncTabata)           |

  On the local target each of them is a process on this machine, on free ports; every parallel worker of the
  suite has its own stack. The scenarios below check what a client sees of the deployment.

  Scenario: Every device is registered in the database, exported and answers
    Given the Tango stack is running
    Then the database knows these devices:
      | device               | class        | server                   |
      | test/counter/prepare | Counter      | tabata/counters          |
      | test/counter/tabatas | Counter      | tabata/counters          |
      | test/tabata/1        | Tabata       | tabata/tabata            |
      | test/acounter/work   | AsyncCounter | asynctabata/asyncounters |
      | test/asynctabata/1   | AsyncTabata  | asynctabata/tabata       |
    And the database lists 12 devices matching "test/*/*"
    And every device of the stack answers

  Scenario: The configuration of the dsconfig file reaches the devices
    Then the device property polled_attr of test/counter/prepare is "polled_value, 1000"
    And the device property workCounter of test/asynctabata/1 is "test/acounter/work"
