package dynamo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/wentitong/wentitong/shared/gateway"
)

// Feedback stores the suggestions residents send in the chat ("建议 …"): PK
// FEEDBACK#<id>, SK FEEDBACK, listed open on GSI1 (FEEDBACK#OPEN, by time). The
// evaluation issue's feedback tickets (deadlines, answers) build on these items.
type Feedback struct {
	DB    *dynamodb.Client
	Table string
}

var _ gateway.Feedback = (*Feedback)(nil)

type feedbackItem struct {
	PK        string `dynamodbav:"PK"`
	SK        string `dynamodbav:"SK"`
	GSI1PK    string `dynamodbav:"GSI1PK"`
	GSI1SK    string `dynamodbav:"GSI1SK"`
	ID        string `dynamodbav:"id"`
	OpenID    string `dynamodbav:"openid"`
	Text      string `dynamodbav:"text"`
	Channel   string `dynamodbav:"channel"`
	Status    string `dynamodbav:"status"`
	CreatedAt string `dynamodbav:"createdAt"`
}

// maxFeedbackRunes bounds a stored suggestion (WeChat's texts are at most 2048 bytes).
const maxFeedbackRunes = 1000

// File records a suggestion and returns its id, e.g. FB261128-3fa2c1.
func (f *Feedback) File(ctx context.Context, openid, text string, at time.Time) (string, error) {
	var rnd [3]byte
	_, _ = rand.Read(rnd[:])
	id := "FB" + at.In(time.FixedZone("CST", 8*3600)).Format("060102") + "-" + hex.EncodeToString(rnd[:])
	if r := []rune(text); len(r) > maxFeedbackRunes {
		text = string(r[:maxFeedbackRunes])
	}
	err := putItem(ctx, f.DB, f.Table, "file feedback", feedbackItem{
		PK: feedbackPK(id), SK: skFeedback, GSI1PK: gsiFeedbackOpen, GSI1SK: timeKey(at) + "#" + id,
		ID: id, OpenID: openid, Text: strings.TrimSpace(text), Channel: "wechat", Status: "open",
		CreatedAt: at.UTC().Format(time.RFC3339),
	})
	if err != nil {
		return "", err
	}
	return id, nil
}
