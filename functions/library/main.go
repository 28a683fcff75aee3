// Command library is the LibraryFunction Lambda: institutions, the digital resource
// library's collections and items, presigned uploads and reads of their media, and the
// news centre with its subscriptions.
package main

import (
	"github.com/wentitong/wentitong/shared/app/boot"
	"github.com/wentitong/wentitong/shared/app/libraryapp"
)

func main() { boot.StartHTTP(libraryapp.Deployed) }
