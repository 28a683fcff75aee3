// Package dynamo is the DynamoDB adapter: one SDK client, the table as template.yaml
// defines it, a per-operation call counter, and the translation of DynamoDB's errors into
// the platform's fault kinds.
//
// Every item of the single table has a partition key PK and a sort key SK built in
// keys.go; docs/data-model.md lists each access pattern with its key condition.
package dynamo
