// Package dynamodev holds what only the local runner, the benchmarks and the tests use
// of DynamoDB, kept out of the production adapter (package dynamo): the table made as
// template.yaml defines it, a per-operation call counter, snapshots of the whole table,
// stream images, and the outbox poll that stands in for the notifier's stream.
package dynamodev
