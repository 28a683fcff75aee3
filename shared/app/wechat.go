package app

import (
	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/wechat"
)

// QR returns the parametric QR code helper, permanent codes counted in the table. Call
// it while wiring (the SDK's getters are not safe for concurrent use).
func (a *App) QR() *wechat.QR {
	return wechat.NewQR(a.OA, &dynamo.QRBudget{DB: a.DB, Table: a.Config.TableName}, a.Now)
}
