package dynamo

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/wentitong/wentitong/shared/fault"
)

// ErrConditionFailed is what a failed condition becomes when the caller has no more
// specific domain error for it.
var ErrConditionFailed = fault.ErrConflict

// FormatError translates an error of the SDK into the platform's vocabulary, keeping the
// cause for the logs: a failed condition is a conflict; throttling, a DynamoDB fault, a
// timeout or a network failure is unavailable (the client may retry); anything else
// (validation errors, a missing table) is internal, because it is our bug.
// Transaction cancellations are returned as *TxCanceled so the caller can map each item's
// reason to a domain error.
func FormatError(op string, err error) error {
	if err == nil {
		return nil
	}
	var (
		ccf      *types.ConditionalCheckFailedException
		canceled *types.TransactionCanceledException
		fe       *fault.Error
	)
	switch {
	case errors.As(err, &fe):
		return err
	case errors.As(err, &ccf):
		return fmt.Errorf("%s: %w", op, ErrConditionFailed.Wrap(err))
	case errors.As(err, &canceled):
		return &TxCanceled{Op: op, Reasons: reasonCodes(canceled.CancellationReasons), err: err}
	case transient(err):
		return fmt.Errorf("%s: %w", op, fault.ErrUnavailable.Wrap(err))
	default:
		return fmt.Errorf("%s: %w", op, fault.ErrInternal.Wrap(err))
	}
}

func transient(err error) bool {
	var (
		ise       *types.InternalServerError
		pte       *types.ProvisionedThroughputExceededException
		rle       *types.RequestLimitExceeded
		conflict  *types.TransactionConflictException
		inProg    *types.TransactionInProgressException
		netErr    net.Error
		maxAttemp *retry.MaxAttemptsError
		apiErr    smithy.APIError
	)
	switch {
	case errors.As(err, &ise), errors.As(err, &pte), errors.As(err, &rle),
		errors.As(err, &conflict), errors.As(err, &inProg), errors.As(err, &netErr),
		errors.Is(err, context.DeadlineExceeded):
		return true
	case errors.As(err, &apiErr):
		switch apiErr.ErrorCode() {
		case "ThrottlingException", "InternalServerError", "ServiceUnavailable", "InternalFailure":
			return true
		}
	}
	// The retryer gave up on a retryable error; the errors above cover its cause.
	return errors.As(err, &maxAttemp) && transient(errors.Unwrap(maxAttemp))
}

// TxCanceled is a cancelled TransactWriteItems: Reasons holds one code per item of the
// transaction, in order ("None", "ConditionalCheckFailed", "TransactionConflict", …).
type TxCanceled struct {
	Op      string
	Reasons []string
	err     error
}

func (e *TxCanceled) Error() string {
	return fmt.Sprintf("%s: transaction canceled %v", e.Op, e.Reasons)
}
func (e *TxCanceled) Unwrap() error { return e.err }

// Failed reports whether item i of the transaction failed its condition.
func (e *TxCanceled) Failed(i int) bool {
	return i < len(e.Reasons) && e.Reasons[i] == "ConditionalCheckFailed"
}

// Transient reports whether the cancellation came from contention or throttling rather
// than a condition, so that retrying may succeed.
func (e *TxCanceled) Transient() bool {
	for _, r := range e.Reasons {
		switch r {
		case "TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded":
			return true
		}
	}
	return false
}

func reasonCodes(rs []types.CancellationReason) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = "None"
		if r.Code != nil {
			out[i] = *r.Code
		}
	}
	return out
}
