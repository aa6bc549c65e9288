//! The README stays true: its layout table names every workspace member, and its commands
//! table every command `wxsim --help` lists.

use crate::{repo, stdout, wxsim};

fn readme() -> String {
    std::fs::read_to_string(repo().join("README.md")).expect("README.md")
}

#[test]
fn the_layout_table_names_every_crate_of_the_workspace() {
    let manifest = std::fs::read_to_string(repo().join("Cargo.toml")).expect("Cargo.toml");
    let members = manifest
        .lines()
        .find(|l| l.trim_start().starts_with("members"))
        .expect("a members line");
    let readme = readme();
    let paths: Vec<&str> = members.split('"').skip(1).step_by(2).collect();
    assert!(paths.len() >= 8, "{members}");
    for path in paths {
        let row = format!("| `{}", path.trim_end_matches('/'));
        assert!(
            readme.contains(&row),
            "README's layout table lacks `{path}`"
        );
    }
}

#[test]
fn the_commands_table_names_every_command() {
    let help = stdout(&wxsim(&["--help"]));
    let commands: Vec<&str> = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .collect();
    assert!(commands.len() >= 7, "{help}");
    let readme = readme();
    for command in commands {
        assert!(
            readme.contains(&format!("| `wxsim {command}` |")),
            "README's commands table lacks `wxsim {command}`"
        );
    }
}
