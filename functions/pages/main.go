// Command pages is the PagesFunction Lambda: the H5 pages under /h5.
package main

import (
	"github.com/wentitong/wentitong/shared/app/boot"
	"github.com/wentitong/wentitong/shared/app/pagesapp"
	"github.com/wentitong/wentitong/shared/app/wechatapi"
)

func main() { boot.StartHTTP(wechatapi.With(pagesapp.Deployed)) }
