package booking

import (
	"context"
	"errors"
	"strings"

	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/privacy"
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
	// DependantIDNumber checks n (zero: none given) against the ID number on file for
	// the dependant, records it when none is on file (or the one on file was hashed
	// with an older key), and returns the masked form on file: ErrIDNumberRequired
	// when none is given or on file, ErrIDNumberMismatch when another is on file or the
	// dependant's year of birth is not the number's.
	DependantIDNumber(ctx context.Context, person, id string, n IDNumber) (string, error)
}

// IDNumber is a dependant's ID number as it is kept: the keyed hash (privacy.
// HashIDNumber), the key's id, the masked form and the year of birth it states. The
// number itself is never kept, returned or logged.
type IDNumber struct {
	Hash, KeyID, Masked string
	BirthYear           int
}

// The refusals of a family member's booking.
var (
	ErrNoFamily         = fault.New(fault.Invalid, "dependant_unknown", "找不到这位家人，请先在“我的家人”中添加")
	ErrIDNumberRequired = fault.New(fault.Invalid, "id_number_required", "本场次为实名制：为家人预约，请填写这位家人的身份证号码")
	ErrIDNumberInvalid  = fault.New(fault.Invalid, "id_number_invalid", "身份证号码无效，请检查后重新填写")
	ErrIDNumberMismatch = fault.New(fault.Conflict, "id_number_mismatch", "身份证号码与这位家人已登记的号码或出生年份不一致，请核对后重新填写")
)

// dependantIDNumber checks the ID number a real-name session's booking for a dependant
// carries (or the one on file) and returns its masked form for the booking.
func (s *Service) dependantIDNumber(ctx context.Context, person string, r Request) (string, error) {
	if len(s.IDKey) == 0 {
		return "", errors.New("book: no ID number hash key (ID_HASH_KEY): no real-name booking for a family member")
	}
	var n IDNumber
	if id := strings.ToUpper(strings.TrimSpace(r.IDNumber)); id != "" {
		if !privacy.ValidIDNumber(id) {
			return "", ErrIDNumberInvalid
		}
		n = IDNumber{Hash: privacy.HashIDNumber(s.IDKey, id), KeyID: privacy.IDKeyID(s.IDKey), Masked: privacy.IDNumber(id), BirthYear: privacy.IDBirthYear(id)}
	}
	return s.Family.DependantIDNumber(ctx, person, r.For, n)
}
