// Command media is the MediaFunction Lambda: it checks each file uploaded to the media
// bucket (size, type, thumbnails of images) and purges the files of deleted items.
package main

import (
	"github.com/wentitong/wentitong/shared/app/boot"
	"github.com/wentitong/wentitong/shared/app/mediaapp"
)

func main() { boot.Start(mediaapp.Deployed) }
