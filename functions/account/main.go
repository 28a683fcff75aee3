// Command account is the AccountFunction Lambda: sign-in and the signed-in person's account.
package main

import (
	"github.com/wentitong/wentitong/shared/app/accountapp"
	"github.com/wentitong/wentitong/shared/app/boot"
	"github.com/wentitong/wentitong/shared/app/wechatapi"
)

func main() { boot.StartHTTP(wechatapi.With(accountapp.Router)) }
