import Reporting

/// Every check the doctor runs, in report order. Ids are stable: CI and alerting key on them.
public enum DoctorCatalog {
  public static let all: [DoctorCheck] =
    SystemChecks.all + GPUChecks.all + DriverChecks.all + NodeHealthChecks.all + ContainerChecks.all + ImageChecks.all

  /// The check with this id, if any.
  public static func check(_ id: String) -> DoctorCheck? { all.first { $0.id == id } }
}
