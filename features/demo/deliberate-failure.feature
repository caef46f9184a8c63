@demo-failure
Feature: A deliberately failing scenario
  Not part of the suite (tag @demo-failure; run it with `npm run acceptance -- --profile demoFailure`): it shows
  what a product failure looks like in the terminal and in the report, and that the run exits non-zero.

  Scenario: A wrong expected value
    When I run the command CounterReset on test/counter/prepare with 3
    Then test/counter/prepare value is 4
