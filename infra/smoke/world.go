package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/truora/minidyn/server"

	"github.com/wentitong/wentitong/shared/buckettest"
	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/dynamo/accountdb"
	"github.com/wentitong/wentitong/shared/dynamo/notifydb"
	"github.com/wentitong/wentitong/shared/dynamodev"
	"github.com/wentitong/wentitong/shared/secrets/secretstest"
	"github.com/wentitong/wentitong/shared/wechattest"
)

// world is what the bootstraps reach through their environment: the embedded DynamoDB
// engine holding the table, and the fake WeChat API. Both run in this process, on
// loopback, so the smoke test can look at what the functions did.
type world struct {
	DynamoURL string // DYNAMODB_ENDPOINT for the functions
	WeChatURL string // WECHAT_API_BASE for the functions
	S3URL     string // S3_ENDPOINT for the functions (an embedded S3 server, buckets made on first use)
	// SecretsURL is the fake Secrets Manager the functions read their secrets from
	// (AWS_ENDPOINT_URL_SECRETS_MANAGER), as deployed functions read the real one.
	SecretsURL string
	Secrets    *secretstest.Store
	People     *accountdb.People
	Outbox     *notifydb.Outbox
	WeChat     *wechattest.Fake
	db         *dynamodb.Client
	table      string

	servers []*http.Server
}

// startWorld starts the engine with the table created as template.yaml defines it, and
// the fake WeChat API accepting appID and appSecret.
func startWorld(ctx context.Context, table, appID, appSecret string) (*world, error) {
	w := &world{WeChat: wechattest.NewFake(appID, appSecret), Secrets: secretstest.NewStore()}
	var err error
	if w.SecretsURL, err = w.serve(w.Secrets); err != nil {
		return nil, fmt.Errorf("start the fake Secrets Manager: %w", err)
	}
	if w.DynamoURL, err = w.serve(server.NewServer()); err != nil {
		return nil, fmt.Errorf("start the embedded DynamoDB: %w", err)
	}
	if w.WeChatURL, err = w.serve(w.WeChat); err != nil {
		w.Close()
		return nil, fmt.Errorf("start the fake WeChat API: %w", err)
	}
	if w.S3URL, err = w.serve(buckettest.NewServer(s3mem.New())); err != nil {
		w.Close()
		return nil, fmt.Errorf("start the embedded S3: %w", err)
	}
	db, err := dynamo.NewClient(ctx, dynamo.ClientOptions{Endpoint: w.DynamoURL})
	if err != nil {
		w.Close()
		return nil, err
	}
	if err := dynamodev.EnsureTable(ctx, db, table); err != nil {
		w.Close()
		return nil, err
	}
	w.People = &accountdb.People{DB: db, Table: table}
	w.Outbox = &notifydb.Outbox{DB: db, Table: table}
	w.db, w.table = db, table
	return w, nil
}

// writeStreamImages puts the new image of every record of a DynamoDB stream batch into
// the table, as the writes the stream reports would have: the notifier reads the item a
// record names. Events of other kinds are left alone.
func (w *world) writeStreamImages(ctx context.Context, event []byte) error {
	var ev events.DynamoDBEvent
	if err := json.Unmarshal(event, &ev); err != nil || len(ev.Records) == 0 || ev.Records[0].EventSource != "aws:dynamodb" {
		return nil
	}
	for _, rec := range ev.Records {
		item, err := dynamodev.FromImage(rec.Change.NewImage)
		if err != nil {
			return fmt.Errorf("stream record %s: %w", rec.EventID, err)
		}
		if _, err := w.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(w.table), Item: item}); err != nil {
			return fmt.Errorf("write stream record %s: %w", rec.EventID, err)
		}
	}
	return nil
}

// serve serves h on a new loopback port and returns its base URL.
func (w *world) serve(h http.Handler) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	w.servers = append(w.servers, srv)
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Printf("smoke: server on %s: %v\n", ln.Addr(), err)
		}
	}()
	return "http://" + ln.Addr().String(), nil
}

// Close stops the servers.
func (w *world) Close() {
	for _, s := range w.servers {
		_ = s.Close()
	}
}

// snapshot is what the fake WeChat API had seen at a moment.
type snapshot struct {
	Sent  int // messages recorded
	OAuth int // OAuth code exchanges answered
}

func (w *world) snapshot() snapshot {
	return snapshot{Sent: len(w.WeChat.Sent()), OAuth: w.WeChat.Calls(wechattest.OpOAuth)}
}
