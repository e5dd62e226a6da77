import { Skeleton } from '@mantine/core';
import QRCode from 'qrcode';
import { useEffect, useState } from 'react';

/**
 * The otpauth:// URI as a QR code for an authenticator app to scan: an SVG drawn by `qrcode`,
 * shown as an image from a data: URL (the CSP allows data: images; no markup is injected).
 */
export function TotpQrCode({ uri, size = 200 }: { uri: string; size?: number }) {
  const [source, setSource] = useState<string>();
  useEffect(() => {
    let current = true;
    void QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }).then((svg) => {
      if (current) setSource(`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`);
    });
    return () => {
      current = false;
    };
  }, [uri]);
  if (!source) return <Skeleton width={size} height={size} aria-label="Drawing the QR code" />;
  return <img src={source} width={size} height={size} alt="QR code to scan with your authenticator app" data-testid="totp-qr" />;
}
