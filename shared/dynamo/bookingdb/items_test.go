package bookingdb

import (
	"reflect"
	"testing"

	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/dynamotest"
)

// Every field of an activity, a slot and a booking goes into its item and comes back.
func TestItemsCarryEveryField(t *testing.T) {
	a := dynamotest.Filled[booking.Activity]()
	if got := newActivityItem(a).activity(); !reflect.DeepEqual(got, a) {
		t.Errorf("activity through its item = %+v, want %+v", got, a)
	}
	s := dynamotest.Filled[booking.Slot]()
	if got := newSlotItem(s).slot(); !reflect.DeepEqual(got, s) {
		t.Errorf("slot through its item = %+v, want %+v", got, s)
	}
	b := dynamotest.Filled[booking.Booking]()
	b.Ticket, b.Position, b.Holder = "", 0, "" // filled in for answers only, never stored
	if got := newBookingItem(b).booking(); !reflect.DeepEqual(got, b) {
		t.Errorf("booking through its item = %+v, want %+v", got, b)
	}
}
