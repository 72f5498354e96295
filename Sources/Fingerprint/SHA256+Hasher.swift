extension SHA256 {
  /// Incremental SHA-256 for content read in pieces (image layer blobs of gigabytes): feed it
  /// with ``update(_:)`` as the bytes stream past, then ``finish()``. Memory stays one block.
  public struct Hasher: Sendable {
    private var state: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (
      0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19
    )
    /// Bytes of an incomplete block (fewer than 64).
    private var pending: [UInt8] = []
    /// Bytes fed so far.
    public private(set) var count: UInt64 = 0

    public init() { pending.reserveCapacity(64) }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
      guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count > 0 else { return }
      count &+= UInt64(bytes.count)
      var offset = 0
      let total = bytes.count
      SHA256.k.withUnsafeBufferPointer { k in
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
          if !pending.isEmpty {
            let take = min(64 - pending.count, total)
            pending.append(contentsOf: UnsafeBufferPointer(start: base, count: take))
            offset = take
            if pending.count == 64 {
              pending.withUnsafeBufferPointer { SHA256.compress($0.baseAddress!, &state, w, k) }
              pending.removeAll(keepingCapacity: true)
            }
          }
          while total - offset >= 64 {
            SHA256.compress(base + offset, &state, w, k)
            offset += 64
          }
        }
      }
      if offset < total { pending.append(contentsOf: UnsafeBufferPointer(start: base + offset, count: total - offset)) }
    }

    /// The digest of everything fed, as 64 lower-case hex digits.
    public func finish() -> String {
      var h = state
      var tail = pending
      let bitLength = count &* 8
      tail.append(0x80)
      while tail.count % 64 != 56 { tail.append(0) }
      for shift in stride(from: 56, through: 0, by: -8) { tail.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift))) }
      SHA256.k.withUnsafeBufferPointer { k in
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
          tail.withUnsafeBufferPointer { padded in
            for chunk in stride(from: 0, to: padded.count, by: 64) { SHA256.compress(padded.baseAddress! + chunk, &h, w, k) }
          }
        }
      }
      return SHA256.hex(h)
    }
  }
}
