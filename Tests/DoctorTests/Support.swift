import Doctor
import Fingerprint
import Probes
import Reporting
import TestSupport

/// Runs the doctor over a fingerprint and picks out one check's findings.
func findings(_ id: String, in fingerprint: Fingerprint, options: DoctorOptions = DoctorOptions()) -> [ReportItem] {
  Doctor.report(for: fingerprint, options: options).items.filter { $0.id == id }
}

/// The worst severity of one check (nil when it did not report).
func severity(_ id: String, in fingerprint: Fingerprint, options: DoctorOptions = DoctorOptions()) -> Severity? {
  findings(id, in: fingerprint, options: options).map(\.severity).max()
}
