package dynamo

// The key attributes of an item, for the item structs of the stores to embed, so that
// each kind of item declares only its own attributes. An index every item of a kind is
// listed on is embedded as GSIn; an index only some of them are on (a sparse index: a
// booking while it waits, a library item while it is published) as SparseGSIn, whose
// empty keys are not written. The attribute names are those of template.yaml.

// Keys is an item's primary key.
type Keys struct {
	PK string `dynamodbav:"PK"`
	SK string `dynamodbav:"SK"`
}

// GSI1 is an item's keys on GSI1, written with every item of its kind.
type GSI1 struct {
	PK string `dynamodbav:"GSI1PK"`
	SK string `dynamodbav:"GSI1SK"`
}

// GSI2 is an item's keys on GSI2, written with every item of its kind.
type GSI2 struct {
	PK string `dynamodbav:"GSI2PK"`
	SK string `dynamodbav:"GSI2SK"`
}

// GSI3 is an item's keys on GSI3, written with every item of its kind.
type GSI3 struct {
	PK string `dynamodbav:"GSI3PK"`
	SK string `dynamodbav:"GSI3SK"`
}

// SparseGSI1 is an item's keys on GSI1, written only when set.
type SparseGSI1 struct {
	PK string `dynamodbav:"GSI1PK,omitempty"`
	SK string `dynamodbav:"GSI1SK,omitempty"`
}

// SparseGSI2 is an item's keys on GSI2, written only when set.
type SparseGSI2 struct {
	PK string `dynamodbav:"GSI2PK,omitempty"`
	SK string `dynamodbav:"GSI2SK,omitempty"`
}

// SparseGSI3 is an item's keys on GSI3, written only when set.
type SparseGSI3 struct {
	PK string `dynamodbav:"GSI3PK,omitempty"`
	SK string `dynamodbav:"GSI3SK,omitempty"`
}
