/**
 * A zip archive of stored (uncompressed) entries for tests, written the way torch writes its
 * checkpoints; with `zip64`, every size and offset goes through the zip64 extra field and end records
 * (as an archive over 4 GB must), without needing 4 GB. `method` and `flags` override the entries'.
 */
export function storedZip(
  entries: ReadonlyArray<readonly [string, Uint8Array]>,
  options: { zip64?: boolean; method?: number; flags?: number } = {},
): Uint8Array {
  const { zip64 = false, method = 0, flags = 0x0800 } = options;
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [];
  let offset = 0;
  const push = (part: Uint8Array) => {
    parts.push(part);
    offset += part.byteLength;
  };
  const central: Uint8Array[] = [];
  for (const [name, data] of entries) {
    const nameBytes = encoder.encode(name);
    const localOffset = offset;
    const local = new DataView(new ArrayBuffer(30));
    local.setUint32(0, 0x04034b50, true);
    local.setUint16(6, flags, true);
    local.setUint16(8, method, true);
    local.setUint32(18, data.byteLength, true);
    local.setUint32(22, data.byteLength, true);
    local.setUint16(26, nameBytes.byteLength, true);
    push(new Uint8Array(local.buffer));
    push(nameBytes);
    push(data);

    const extra = new DataView(new ArrayBuffer(zip64 ? 28 : 0));
    if (zip64) {
      extra.setUint16(0, 0x0001, true);
      extra.setUint16(2, 24, true);
      extra.setBigUint64(4, BigInt(data.byteLength), true);
      extra.setBigUint64(12, BigInt(data.byteLength), true);
      extra.setBigUint64(20, BigInt(localOffset), true);
    }
    const header = new DataView(new ArrayBuffer(46));
    header.setUint32(0, 0x02014b50, true);
    header.setUint16(8, flags, true);
    header.setUint16(10, method, true);
    header.setUint32(20, zip64 ? 0xffffffff : data.byteLength, true);
    header.setUint32(24, zip64 ? 0xffffffff : data.byteLength, true);
    header.setUint16(28, nameBytes.byteLength, true);
    header.setUint16(30, extra.byteLength, true);
    header.setUint32(42, zip64 ? 0xffffffff : localOffset, true);
    central.push(new Uint8Array(header.buffer), nameBytes, new Uint8Array(extra.buffer));
  }
  const directoryOffset = offset;
  for (const part of central) push(part);
  const directorySize = offset - directoryOffset;

  if (zip64) {
    const recordOffset = offset;
    const record = new DataView(new ArrayBuffer(56));
    record.setUint32(0, 0x06064b50, true);
    record.setBigUint64(4, 44n, true);
    record.setBigUint64(24, BigInt(entries.length), true);
    record.setBigUint64(32, BigInt(entries.length), true);
    record.setBigUint64(40, BigInt(directorySize), true);
    record.setBigUint64(48, BigInt(directoryOffset), true);
    push(new Uint8Array(record.buffer));
    const locator = new DataView(new ArrayBuffer(20));
    locator.setUint32(0, 0x07064b50, true);
    locator.setBigUint64(8, BigInt(recordOffset), true);
    locator.setUint32(16, 1, true);
    push(new Uint8Array(locator.buffer));
  }
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, zip64 ? 0xffff : entries.length, true);
  end.setUint16(10, zip64 ? 0xffff : entries.length, true);
  end.setUint32(12, zip64 ? 0xffffffff : directorySize, true);
  end.setUint32(16, zip64 ? 0xffffffff : directoryOffset, true);
  push(new Uint8Array(end.buffer));

  const out = new Uint8Array(offset);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}
