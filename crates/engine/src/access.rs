//! Who may call the listener when a tester binds it beyond loopback: a source allow-list
//! (IPs and CIDRs) and an optional shared secret header; and the one reading of a query
//! string's values (`?file=`, `?token=`).

use std::net::IpAddr;

/// The value of `key` in a query string (`a=1&b=2`), as it stands (not percent-decoded).
pub fn query_value<'a>(query: &'a str, key: &str) -> Option<&'a str> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v)
}

/// One allowed source: an address and a prefix length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SourceRule {
    net: IpAddr,
    prefix: u8,
}

fn bits(ip: IpAddr) -> (u128, u8) {
    match ip {
        IpAddr::V4(v4) => (u128::from(u32::from(v4)), 32),
        IpAddr::V6(v6) => (u128::from(v6), 128),
    }
}

impl SourceRule {
    pub fn parse(text: &str) -> Option<SourceRule> {
        let (ip, prefix) = match text.split_once('/') {
            Some((ip, p)) => (
                ip.trim().parse::<IpAddr>().ok()?,
                p.trim().parse::<u8>().ok()?,
            ),
            None => {
                let ip = text.trim().parse::<IpAddr>().ok()?;
                (ip, bits(ip).1)
            }
        };
        (prefix <= bits(ip).1).then_some(SourceRule { net: ip, prefix })
    }

    pub fn allows(&self, peer: IpAddr) -> bool {
        let peer = match peer {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(peer),
            v4 => v4,
        };
        let ((net, width), (addr, peer_width)) = (bits(self.net), bits(peer));
        if width != peer_width {
            return false;
        }
        let shift = u32::from(width - self.prefix);
        self.prefix == 0 || (net >> shift) == (addr >> shift)
    }
}

/// Whether `peer` may call: no rules = anyone; else a rule must allow it (list 127.0.0.1
/// to keep the embedded simulator and local tools).
pub fn source_allowed(rules: &[String], peer: IpAddr) -> bool {
    rules.is_empty()
        || rules
            .iter()
            .filter_map(|r| SourceRule::parse(r))
            .any(|r| r.allows(peer))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_rules() {
        let r = SourceRule::parse("10.1.0.0/16").unwrap();
        assert!(r.allows("10.1.200.3".parse().unwrap()));
        assert!(!r.allows("10.2.0.1".parse().unwrap()));
        assert!(SourceRule::parse("192.168.1.7")
            .unwrap()
            .allows("::ffff:192.168.1.7".parse().unwrap()));
        assert!(SourceRule::parse("nonsense").is_none());
        assert!(SourceRule::parse("10.0.0.0/33").is_none());
        let rules = vec!["192.168.1.0/24".to_owned()];
        assert!(!source_allowed(&rules, "127.0.0.1".parse().unwrap()));
        assert!(!source_allowed(&rules, "192.168.2.1".parse().unwrap()));
        assert!(source_allowed(&[], "8.8.8.8".parse().unwrap()));
    }
}
