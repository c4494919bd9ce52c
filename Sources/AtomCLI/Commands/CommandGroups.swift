import ArgumentParser

/// `atom auth`: log in (the default, `atom auth <platform>`), check the grants, or revoke one.
///
/// A group with a default subcommand, so that `atom auth NAME` still logs in while `status` and `revoke` are
/// never taken for a platform name.
struct AuthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auth",
        abstract: "OAuth login for a platform (`atom auth <platform>`); `status` checks the grants, `revoke` ends one.",
        discussion: AuthLoginCommand.configuration.discussion,
        subcommands: [AuthLoginCommand.self, AuthStatusCommand.self, AuthRevokeCommand.self],
        defaultSubcommand: AuthLoginCommand.self
    )
}

/// `atom history`: list the record (the default), show one entry, or forget entries.
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Every post atom attempted, with each platform's status, newest first; `show` and `forget` entries.",
        subcommands: [HistoryListCommand.self, HistoryShowCommand.self, HistoryForgetCommand.self],
        defaultSubcommand: HistoryListCommand.self
    )
}
