package booking

import (
	"context"
	"strings"

	"github.com/wentitong/wentitong/shared/fault"
)

// A booking made for a family member (a dependant) is held by the holder
// "<person id>~<dependant id>": one booking per dependant per slot, the per-activity
// limit and the no-show strikes counted per dependant, all keyed as a person's are;
// the person lists it with their own bookings and is told about it. The dependant's id
// ends the booking's id too (BookingID(slot, "<random>~<dependant>")), so a booking is
// found from its id and the person who made it.
const holderSep = "~"

// Holder returns the holder of a booking person makes for dependant ("" for themselves).
func Holder(person, dependant string) string {
	if dependant == "" {
		return person
	}
	return person + holderSep + dependant
}

// PersonOf returns the person who holds or made a booking of holder.
func PersonOf(holder string) string {
	p, _, _ := strings.Cut(holder, holderSep)
	return p
}

// dependantOfBooking returns the dependant a booking id was made for ("" for none).
func dependantOfBooking(id string) string {
	_, d, _ := strings.Cut(id, holderSep)
	return d
}

// Family names a resident's dependants for their bookings.
type Family interface {
	// DependantLabel returns how a ticket names the dependant (王秀英（母亲）), or an
	// error (the account's not-found error when person has no such dependant).
	DependantLabel(ctx context.Context, person, id string) (string, error)
}

// ErrNoFamily refuses a booking for a dependant where the service knows no families.
var ErrNoFamily = fault.New(fault.Invalid, "dependant_unknown", "找不到这位家人，请先在“我的家人”中添加")
