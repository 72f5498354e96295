import Compatibility
import Testing

@testable import Compare

/// A host known only from its PCI ids (a captured tree without `nvidia-smi -q -x`): the brand
/// libnvidia-container would see is derived from the catalog name, as NVML names the product
/// lines (nvmlBrandType_t: Tesla for pre-Ampere data-center parts, NVIDIA for newer ones,
/// GeForce, NVIDIA RTX for workstation boards), then mapped as driver.c does.
@Suite struct HostOfferTests {
  @Test(arguments: [
    (UInt16(0x2335), "Nvidia"),  // NVIDIA H200: NVML says "NVIDIA" (the real capture)
    (UInt16(0x1eb8), "Tesla"),  // Tesla T4
    (UInt16(0x2684), "GeForce"),  // NVIDIA GeForce RTX 4090
    (UInt16(0x2230), "NvidiaRTX"),  // NVIDIA RTX A6000
  ])
  func brandFromTheCatalog(deviceID: UInt16, expected: String) throws {
    let entry = try #require(GPUCatalog.nvidia(deviceID: deviceID))
    #expect(NvidiaRequire.containerBrand(nvmlBrand: CompatibilityVerdicts.HostOffer.nvmlBrand(forName: entry.name)) == expected)
  }
}
