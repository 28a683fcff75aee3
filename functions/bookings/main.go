// Command bookings is the BookingsFunction Lambda: the catalogue, bookings, waiting
// lists, cancellations and door check-ins.
package main

import (
	"github.com/wentitong/wentitong/shared/app/bookingsapp"
	"github.com/wentitong/wentitong/shared/app/boot"
)

func main() { boot.StartHTTP(bookingsapp.Router) }
