// Command console is the ConsoleFunction Lambda: the staff console under /h5/admin.
package main

import (
	"github.com/wentitong/wentitong/shared/app/boot"
	"github.com/wentitong/wentitong/shared/app/consoleapp"
	"github.com/wentitong/wentitong/shared/app/wechatapi"
)

func main() { boot.StartHTTP(wechatapi.With(consoleapp.Router)) }
