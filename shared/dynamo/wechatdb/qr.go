package wechatdb

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/wentitong/wentitong/shared/dynamo"
)

// QRBudget counts the permanent QR codes created (PK COUNTER#QR_PERMANENT, SK COUNTER)
// against WeChat's limit, with one conditional UpdateItem per code.
type QRBudget struct {
	DB    *dynamodb.Client
	Table string
	Limit int // the most codes that may be created (wechat.MaxPermanentQR)
}

// Take counts one more code; it returns false, counting nothing, when Limit codes were
// created already.
func (b *QRBudget) Take(ctx context.Context) (bool, error) {
	_, err := dynamo.Update(ctx, b.DB, b.Table, "count qr code", dynamo.CounterPK(dynamo.CounterQRPermanent), dynamo.SKCounter,
		expression.Add(expression.Name("n"), expression.Value(1)),
		expression.AttributeNotExists(expression.Name("n")).Or(expression.Name("n").LessThan(expression.Value(b.Limit))), types.ReturnValueNone)
	if errors.Is(err, dynamo.ErrConditionFailed) {
		return false, nil
	}
	return err == nil, err
}

// Sequences hands out numbers one after another per name (PK COUNTER#<name>, SK
// COUNTER): human references such as a day's feedback numbers.
type Sequences struct {
	DB    *dynamodb.Client
	Table string
}

// Next returns the next number of the sequence name, from 1 (one UpdateItem). A number
// whose use then fails is not given again: references may skip, never repeat.
func (s *Sequences) Next(ctx context.Context, name string) (int, error) {
	out, err := dynamo.Update(ctx, s.DB, s.Table, "next "+name, dynamo.CounterPK(name), dynamo.SKCounter,
		expression.Add(expression.Name("n"), expression.Value(1)), expression.ConditionBuilder{}, types.ReturnValueUpdatedNew)
	if err != nil {
		return 0, err
	}
	n, ok := out["n"].(*types.AttributeValueMemberN)
	if !ok {
		return 0, fmt.Errorf("next %s: no number answered", name)
	}
	return strconv.Atoi(n.Value)
}
