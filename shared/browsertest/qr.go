package browsertest

import (
	"bytes"
	"fmt"
	"image"
	_ "image/png" // screenshots are PNG

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// DecodeQR reads the QR code in a PNG (a screenshot), as a door scanner would.
func DecodeQR(png []byte) (string, error) {
	img, _, err := image.Decode(bytes.NewReader(png))
	if err != nil {
		return "", fmt.Errorf("decode qr: %w", err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return "", fmt.Errorf("decode qr: %w", err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		// The finder-pattern detector misplaces about one clean code in twenty at large
		// module sizes; a screenshot of the code alone is what the pure-barcode path reads.
		pure, perr := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: true})
		if perr != nil {
			return "", fmt.Errorf("decode qr: %w", err)
		}
		res = pure
	}
	return res.GetText(), nil
}
