"""The processes behind teleframe: the embedded broker, the `serve` supervisor, heartbeats
and the health they add up to."""
