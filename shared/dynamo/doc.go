// Package dynamo is the DynamoDB adapter: one SDK client, the translation of DynamoDB's
// errors into the platform's fault kinds, one way to read and write an item or a
// partition (ops.go), the one transaction runner (tx.go, the only caller of
// TransactWriteItems), and the stores of each context. What only the local runner and
// the tests use (table creation, snapshots, stream images, the call counter) is in
// shared/dynamodev.
//
// Every item of the single table has a partition key PK and a sort key SK built in
// keys.go; docs/data-model.md lists each access pattern with its key condition.
package dynamo
