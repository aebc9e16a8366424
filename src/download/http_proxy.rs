//! Which proxy a URL goes through, decided once here for every backend alike: `https_proxy` for
//! https URLs, `http_proxy` for http ones, `all_proxy` when the specific one is unset, none when
//! `no_proxy` matches the host. `no_proxy` follows curl's rules: comma-separated entries; `*`
//! matches everything; a name matches itself and its subdomains (a leading `.` is allowed); an
//! entry with `:port` matches only that port; IP addresses match exactly.

use url::Url;

use crate::env::Proxies;

/// The proxy URL for `url`, or `None` to connect directly.
pub fn proxy_for(url: &Url, proxies: &Proxies) -> Option<String> {
    let host = url.host_str()?.trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
    if let Some(list) = &proxies.no_proxy
        && bypass(&host, url.port_or_known_default(), list)
    {
        return None;
    }
    let specific = match url.scheme() {
        "https" => &proxies.https,
        "http" => &proxies.http,
        _ => return None,
    };
    specific.clone().or_else(|| proxies.all.clone())
}

fn bypass(host: &str, port: Option<u16>, list: &str) -> bool {
    list.split(',').map(str::trim).filter(|e| !e.is_empty()).any(|entry| {
        if entry == "*" {
            return true;
        }
        let entry = entry.to_ascii_lowercase();
        let (name, entry_port) = match entry.rsplit_once(':') {
            Some((n, p)) if !n.contains(':') || n.ends_with(']') => {
                (n.trim_start_matches('[').trim_end_matches(']').to_owned(), p.parse::<u16>().ok())
            }
            _ => (entry.trim_start_matches('[').trim_end_matches(']').to_owned(), None),
        };
        if entry_port.is_some() && entry_port != port {
            return false;
        }
        let name = name.trim_start_matches('.');
        host == name || host.ends_with(&format!(".{name}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(https: Option<&str>, http: Option<&str>, all: Option<&str>, no: Option<&str>) -> Proxies {
        let s = |v: Option<&str>| v.map(str::to_owned);
        Proxies { https: s(https), http: s(http), all: s(all), no_proxy: s(no) }
    }

    fn for_(url: &str, proxies: &Proxies) -> Option<String> {
        proxy_for(&Url::parse(url).unwrap(), proxies)
    }

    #[test]
    fn scheme_specific_then_all() {
        let px = p(Some("http://s:1"), Some("http://h:2"), Some("http://a:3"), None);
        assert_eq!(for_("https://static.rust-lang.org/x", &px).as_deref(), Some("http://s:1"));
        assert_eq!(for_("http://mirror/x", &px).as_deref(), Some("http://h:2"));
        let all = p(None, None, Some("http://a:3"), None);
        assert_eq!(for_("https://x/y", &all).as_deref(), Some("http://a:3"));
        assert_eq!(for_("https://x/y", &Proxies::default()), None);
    }

    #[test]
    fn no_proxy_rules() {
        let px = |no: &str| p(Some("http://s:1"), Some("http://h:2"), None, Some(no));
        assert_eq!(for_("https://static.rust-lang.org/x", &px("rust-lang.org")), None, "subdomain");
        assert_eq!(for_("https://static.rust-lang.org/x", &px(".rust-lang.org")), None);
        assert!(for_("https://notrust-lang.org/x", &px("rust-lang.org")).is_some(), "not a subdomain");
        assert_eq!(for_("http://127.0.0.1:8080/x", &px("localhost, 127.0.0.1")), None);
        assert!(for_("http://127.0.0.1:8080/x", &px("127.0.0.1:9090")).is_some(), "other port");
        assert_eq!(for_("http://127.0.0.1:8080/x", &px("127.0.0.1:8080")), None);
        assert_eq!(for_("https://anything/x", &px("*")), None);
        assert_eq!(for_("http://[::1]:80/x", &px("::1")), None);
    }
}
