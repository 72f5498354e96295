import Fingerprint

/// The inspector's parsers of what an image prints, for the fuzzer (Fuzz/FuzzParsers) only:
/// `@_spi(Fuzzing) import Inspector`. Not part of the library's API.
@_spi(Fuzzing) public enum InspectorParsers {
  /// The inspection script's output (`rc1<TAB>key<TAB>value` lines), parsed and built into facts.
  public static func inspectionOutput(_ text: String) -> ImageFacts {
    ImageFactsBuilder.build(
      reference: "fuzz", runtime: "docker", config: .absent("fuzz", source: "fuzz"), parsed: InspectionParser(text), scriptSource: "fuzz")
  }

  /// `docker image inspect --format '{{json .}}'`; whether it was understood.
  public static func imageInspect(_ text: String) -> Bool { Inspector.imageConfig(text) != nil }
}
