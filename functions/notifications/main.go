// Command notifications is the NotificationsFunction Lambda: staff read and retry the
// notification deliveries.
package main

import (
	"github.com/wentitong/wentitong/shared/app/boot"
	"github.com/wentitong/wentitong/shared/app/notificationsapp"
)

func main() { boot.StartHTTP(notificationsapp.Router) }
