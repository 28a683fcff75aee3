// Command media is the MediaFunction Lambda: it checks each file uploaded to the media
// bucket (size, type, thumbnails of images) and purges the files of deleted items.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/wentitong/wentitong/shared/app/boot"
	"github.com/wentitong/wentitong/shared/app/mediaapp"
	"github.com/wentitong/wentitong/shared/config"
)

func main() {
	ctx := context.Background()
	b := boot.Must(boot.New(ctx, config.FromEnv(), boot.Options{}))
	svc := boot.Must(mediaapp.New(ctx, b, nil))
	lambda.Start(mediaapp.Handler(svc, b.Log))
}
