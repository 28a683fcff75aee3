// Command wechat is the WeChatFunction Lambda: the official account's server callback.
package main

import (
	"github.com/wentitong/wentitong/shared/app/boot"
	"github.com/wentitong/wentitong/shared/app/wechatapp"
)

func main() { boot.StartHTTP(wechatapp.Deployed) }
