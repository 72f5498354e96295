/// The part of the CycloneDX 1.6 JSON model rigcheck writes (bom-1.6.schema.json): field names
/// as the schema spells them, nothing the strict schema would refuse.
public struct CycloneDXDocument: Codable, Sendable, Hashable {
  public static let specVersion = "1.6"
  public static let schemaURL = "http://cyclonedx.org/schema/bom-1.6.schema.json"

  public var schema = CycloneDXDocument.schemaURL
  public var bomFormat = "CycloneDX"
  public var specVersion = CycloneDXDocument.specVersion
  /// `urn:uuid:…`, derived from the rest of the document (see ``CycloneDXBuilder``).
  public var serialNumber: String?
  public var version = 1
  public var metadata: Metadata
  public var components: [Component]
  public var dependencies: [Dependency]

  enum CodingKeys: String, CodingKey {
    case schema = "$schema"
    case bomFormat, specVersion, serialNumber, version, metadata, components, dependencies
  }

  public struct Metadata: Codable, Sendable, Hashable {
    public var tools: Tools
    public var component: Component
    public var properties: [Property]?
  }

  /// `metadata.tools` in its 1.5+ form: the tools as components.
  public struct Tools: Codable, Sendable, Hashable {
    public var components: [Component]
  }

  public struct Component: Codable, Sendable, Hashable {
    /// `library`, `framework`, `operating-system`, `container`, `application`.
    public var type: String
    public var bomRef: String
    public var name: String
    public var version: String?
    public var description: String?
    public var purl: String?
    public var properties: [Property]?

    public init(type: String, bomRef: String, name: String, version: String?, description: String? = nil, purl: String? = nil, properties: [Property] = []) {
      self.type = type
      self.bomRef = bomRef
      self.name = name
      self.version = version
      self.description = description
      self.purl = purl
      self.properties = properties.isEmpty ? nil : properties.sorted()
    }

    enum CodingKeys: String, CodingKey {
      case type
      case bomRef = "bom-ref"
      case name, version, description, purl, properties
    }
  }

  /// A name/value pair; rigcheck's names are in the `rigcheck:` namespace.
  public struct Property: Codable, Sendable, Hashable, Comparable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
      self.name = name
      self.value = value
    }

    public static func < (lhs: Property, rhs: Property) -> Bool { (lhs.name, lhs.value) < (rhs.name, rhs.value) }
  }

  public struct Dependency: Codable, Sendable, Hashable {
    public var ref: String
    public var dependsOn: [String]
  }
}
