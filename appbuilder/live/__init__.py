"""Run an app's queries on an org's own data through Sumo's Search Job API (`test --live`, `preview --live`),
and explain an empty result: the scope alone, where events of the query's shape are, and the first operator
that loses them."""
