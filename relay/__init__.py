"""The relay: publishes the event log to Kafka, in log order, at least once."""
