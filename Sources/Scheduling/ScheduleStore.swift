import PublishingEngine

/// Scheduled jobs in `schedule.json` next to the record (`ATOM_STATE_DIR`): written atomically, every
/// read-modify-write under an exclusive `flock`, so a timer's `run-due` and a user's `cancel` never race.
public typealias ScheduleStore = StateFileStore<ScheduleFile>

extension ScheduleFile: StateFile {
    public static let fileKind = (
        baseName: "schedule", noun: "schedule", invalidFileRemediation: "move the file aside; scheduled jobs in it will not run")
    public static var empty: ScheduleFile { ScheduleFile() }
}
