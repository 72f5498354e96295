// Only FoundationEssentials is used where it exists: it keeps the static binary small
// (no ICU) and rejects APIs that would pull the full Foundation in.
#if canImport(FoundationEssentials)
  @_exported import FoundationEssentials
#else
  @_exported import Foundation
#endif
