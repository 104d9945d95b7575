# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_outbound_global_optspecs
    string join \n config= trace store= no-input q/quiet h/help V/version
end

function __fish_outbound_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_outbound_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_outbound_using_subcommand
    set -l cmd (__fish_outbound_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c outbound -n "__fish_outbound_needs_command" -l config -d 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]' -r -F
complete -c outbound -n "__fish_outbound_needs_command" -l store -d 'Where secrets are kept [default: `store` in the config file, else keyring]' -r -f -a "keyring\t'The OS credential store (Secret Service, Keychain, Credential Manager)'
file\t'A 0600 JSON file in the state directory; unencrypted'"
complete -c outbound -n "__fish_outbound_needs_command" -l trace -d 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
complete -c outbound -n "__fish_outbound_needs_command" -l no-input -d 'Never prompt; fail with a clear message where input would be needed'
complete -c outbound -n "__fish_outbound_needs_command" -s q -l quiet -d 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
complete -c outbound -n "__fish_outbound_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c outbound -n "__fish_outbound_needs_command" -s V -l version -d 'Print version'
complete -c outbound -n "__fish_outbound_needs_command" -f -a "app" -d 'Administer applications (add, list, show, edit, enable, disable, reset, delete)'
complete -c outbound -n "__fish_outbound_needs_command" -f -a "authorize" -d 'Authorize an application: browser and loopback, device grant, or client credentials'
complete -c outbound -n "__fish_outbound_needs_command" -f -a "login" -d 'Authorize an application: browser and loopback, device grant, or client credentials'
complete -c outbound -n "__fish_outbound_needs_command" -f -a "status" -d 'Every application and account of this user: state, expiry, scopes, last error'
complete -c outbound -n "__fish_outbound_needs_command" -f -a "token" -d 'Print a valid access token (refreshed when needed), for $(...) in scripts'
complete -c outbound -n "__fish_outbound_needs_command" -f -a "audit" -d 'Show the audit log (enable it with `audit = true` in the configuration file)'
complete -c outbound -n "__fish_outbound_needs_command" -f -a "doctor" -d 'Check the configuration, the store, the browser, and each app\'s endpoints'
complete -c outbound -n "__fish_outbound_needs_command" -f -a "curl" -d 'Make an HTTP request with the app\'s token attached (curl\'s flags)'
complete -c outbound -n "__fish_outbound_needs_command" -f -a "account" -d 'One account\'s own settings: enable, disable, base URL'
complete -c outbound -n "__fish_outbound_needs_command" -f -a "store" -d 'This user\'s secret store: move every secret to another one'
complete -c outbound -n "__fish_outbound_needs_command" -f -a "logout" -d 'Revoke an account\'s tokens at the server and remove them'
complete -c outbound -n "__fish_outbound_needs_command" -f -a "prune" -d 'Remove this user\'s tokens of deleted applications (orphans) and of reset ones, revoking those whose application is still defined'
complete -c outbound -n "__fish_outbound_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c outbound -n "__fish_outbound_needs_command" -f -a "generate-docs" -d 'Regenerate (or with --check, verify) completions/ and man/'
complete -c outbound -n "__fish_outbound_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c outbound -n "__fish_outbound_using_subcommand app; and not __fish_seen_subcommand_from add presets list show edit enable disable reset delete secret help" -l config -d 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]' -r -F
complete -c outbound -n "__fish_outbound_using_subcommand app; and not __fish_seen_subcommand_from add presets list show edit enable disable reset delete secret help" -l store -d 'Where secrets are kept [default: `store` in the config file, else keyring]' -r -f -a "keyring\t'The OS credential store (Secret Service, Keychain, Credential Manager)'
file\t'A 0600 JSON file in the state directory; unencrypted'"
complete -c outbound -n "__fish_outbound_using_subcommand app; and not __fish_seen_subcommand_from add presets list show edit enable disable reset delete secret help" -l trace -d 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
complete -c outbound -n "__fish_outbound_using_subcommand app; and not __fish_seen_subcommand_from add presets list show edit enable disable reset delete secret help" -l no-input -d 'Never prompt; fail with a clear message where input would be needed'
complete -c outbound -n "__fish_outbound_using_subcommand app; and not __fish_seen_subcommand_from add presets list show edit enable disable reset delete secret help" -s q -l quiet -d 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
complete -c outbound -n "__fish_outbound_using_subcommand app; and not __fish_seen_subcommand_from add presets list show edit enable disable reset delete secret help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c outbound -n "__fish_outbound_using_subcommand app; and not __fish_seen_subcommand_from add presets list show edit enable disable reset delete secret help" -s V -l version -d 'Print version'
complete -c outbound -n "__fish_outbound_using_subcommand app; and not __fish_seen_subcommand_from add presets list show edit enable disable reset delete secret help" -f -a "add" -d 'Define a new application'
complete -c outbound -n "__fish_outbound_using_subcommand app; and not __fish_seen_subcommand_from add presets list show edit enable disable reset delete secret help" -f -a "presets" -d 'List the provider presets, or show one'
complete -c outbound -n "__fish_outbound_using_subcommand app; and not __fish_seen_subcommand_from add presets list show edit enable disable reset delete secret help" -f -a "list" -d 'List the applications in the configuration file'
complete -c outbound -n "__fish_outbound_using_subcommand app; and not __fish_seen_subcommand_from add presets list show edit enable disable reset delete secret help" -f -a "show" -d 'Show one application\'s settings (the client secret only as where it lives)'
complete -c outbound -n "__fish_outbound_using_subcommand app; and not __fish_seen_subcommand_from add presets list show edit enable disable reset delete secret help" -f -a "edit" -d 'Change an application\'s settings: only what is given changes'
complete -c outbound -n "__fish_outbound_using_subcommand app; and not __fish_seen_subcommand_from add presets list show edit enable disable reset delete secret help" -f -a "enable" -d 'Allow the application\'s tokens to be used and new authorizations to start'
complete -c outbound -n "__fish_outbound_using_subcommand app; and not __fish_seen_subcommand_from add presets list show edit enable disable reset delete secret help" -f -a "disable" -d 'Refuse every use of the application\'s tokens (nothing is deleted)'
complete -c outbound -n "__fish_outbound_using_subcommand app; and not __fish_seen_subcommand_from add presets list show edit enable disable reset delete secret help" -f -a "reset" -d 'Invalidate every user\'s tokens for the application (bumps its generation)'
complete -c outbound -n "__fish_outbound_using_subcommand app; and not __fish_seen_subcommand_from add presets list show edit enable disable reset delete secret help" -f -a "delete" -d 'Delete the application, its stored client secret, and this user\'s tokens'
complete -c outbound -n "__fish_outbound_using_subcommand app; and not __fish_seen_subcommand_from add presets list show edit enable disable reset delete secret help" -f -a "secret" -d 'Manage the application\'s client secret'
complete -c outbound -n "__fish_outbound_using_subcommand app; and not __fish_seen_subcommand_from add presets list show edit enable disable reset delete secret help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from add" -l preset -d 'Fill endpoints and provider specifics from a preset (see `outbound app presets`)' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from add" -l preset-param -d 'A preset parameter, e.g. domain=acme.okta.com (repeatable)' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from add" -l issuer -d 'Fill the endpoints from this issuer\'s metadata (RFC 8414 / OpenID discovery)' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from add" -l description -d 'Free text for administrators' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from add" -l approval-prompt -d 'Text shown before the browser opens for authorization' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from add" -l grant -d 'OAuth 2.0 grant [default: authorization_code]' -r -f -a "authorization_code\t'A person authorizes in the browser (RFC 6749 4.1, with PKCE)'
client_credentials\t'The client acts as itself; no user (RFC 6749 4.4)'
device_code\t'A person authorizes on another device (RFC 8628)'"
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from add" -l auth-url -d 'Authorization endpoint (its query parameters are kept)' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from add" -l token-url -d 'Token endpoint' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from add" -l revocation-url -d 'Revocation endpoint (RFC 7009)' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from add" -l device-url -d 'Device authorization endpoint (RFC 8628)' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from add" -l client-id -d 'Client identifier issued by the provider' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from add" -l client-secret-env -d 'Read the client secret from this environment variable whenever it is needed' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from add" -l client-secret-command -d 'Run this shell command whenever the client secret is needed (its stdout)' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from add" -l client-auth -d 'Client authentication at the token endpoint [default: basic]' -r -f -a "basic\t'HTTP Basic with the client id and secret (`client_secret_basic`)'
post\t'Client id and secret in the request body (`client_secret_post`)'
none\t'A public client: only `client_id` is sent'"
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from add" -l scope -d 'A scope to request (repeatable; none = send no scope); in `edit`, replaces the list' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from add" -l scope-delimiter -d 'How scopes are joined in requests [default: " "]' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from add" -l expires-in -d 'Access-token lifetime when the server sends no expires_in (e.g. 90m, 1h)' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from add" -l refresh-skew -d 'Refresh this long before expiry [default: 60s]' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from add" -l redirect-uri -d 'Loopback redirect URI (no port or port 0 = any free port) [default: http://127.0.0.1/callback]' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from add" -l prompt -d 'The OpenID Connect `prompt` parameter (e.g. consent, select_account)' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from add" -l auth-param -l add-auth-param -d 'Extra authorization parameter; in `edit`, adds or replaces that key (repeatable)' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from add" -l token-header -l add-token-header -d 'Extra token-request header; in `edit`, adds or replaces that key (repeatable)' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from add" -l token-param -l add-token-param -d 'Extra token-request parameter; in `edit`, adds or replaces that key (repeatable)' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from add" -l allowed-host -d 'A host this app\'s tokens may be sent to (repeatable; `*.example.com` allowed); in `edit`, replaces the list' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from add" -l base-url -d 'Where `outbound curl APP /path` resolves a relative URL, e.g. https://api.github.com' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from add" -l proxy -d 'Proxy for every request of this app (http, https, socks5)' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from add" -l ca-file -d 'Extra CA certificates (PEM) to trust for this app' -r -F
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from add" -l token-body -d 'Token-request body for non-standard servers [default: form]' -r -f -a "form\t'application/x-www-form-urlencoded (RFC 6749)'
json\t'application/json'"
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from add" -l refresh-url -d 'A separate URL for refresh requests (non-standard servers)' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from add" -l token-field -d 'Where a token-response field is in the answer, e.g. access_token=authed_user.access_token (repeatable)' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from add" -l token-header-name -d 'Header that carries the token in `outbound curl` [default: Authorization]' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from add" -l token-format -d 'Format of that header\'s value [default: "Bearer {token}"]' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from add" -l config -d 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]' -r -F
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from add" -l store -d 'Where secrets are kept [default: `store` in the config file, else keyring]' -r -f -a "keyring\t'The OS credential store (Secret Service, Keychain, Credential Manager)'
file\t'A 0600 JSON file in the state directory; unencrypted'"
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from add" -l client-secret-stdin -d 'Read the client secret from standard input (never from a flag)'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from add" -l no-pkce -d 'Turn PKCE (S256) off for servers that reject it'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from add" -l pkce -d 'Turn PKCE (S256) back on (the default)'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from add" -l trace -d 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from add" -l no-input -d 'Never prompt; fail with a clear message where input would be needed'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from add" -s q -l quiet -d 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from add" -s V -l version -d 'Print version'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from presets" -l config -d 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]' -r -F
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from presets" -l store -d 'Where secrets are kept [default: `store` in the config file, else keyring]' -r -f -a "keyring\t'The OS credential store (Secret Service, Keychain, Credential Manager)'
file\t'A 0600 JSON file in the state directory; unencrypted'"
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from presets" -l json -d 'Print a JSON array (stable; see the README)'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from presets" -l trace -d 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from presets" -l no-input -d 'Never prompt; fail with a clear message where input would be needed'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from presets" -s q -l quiet -d 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from presets" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from presets" -s V -l version -d 'Print version'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from presets" -f -a "show" -d 'What a preset fills in, its parameters, and what to register at the provider'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from presets" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from list" -l config -d 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]' -r -F
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from list" -l store -d 'Where secrets are kept [default: `store` in the config file, else keyring]' -r -f -a "keyring\t'The OS credential store (Secret Service, Keychain, Credential Manager)'
file\t'A 0600 JSON file in the state directory; unencrypted'"
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from list" -l json -d 'Print a JSON array (stable; see the README)'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from list" -l trace -d 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from list" -l no-input -d 'Never prompt; fail with a clear message where input would be needed'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from list" -s q -l quiet -d 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from show" -l config -d 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]' -r -F
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from show" -l store -d 'Where secrets are kept [default: `store` in the config file, else keyring]' -r -f -a "keyring\t'The OS credential store (Secret Service, Keychain, Credential Manager)'
file\t'A 0600 JSON file in the state directory; unencrypted'"
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from show" -l json -d 'Print a JSON object (stable; see the README)'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from show" -l trace -d 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from show" -l no-input -d 'Never prompt; fail with a clear message where input would be needed'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from show" -s q -l quiet -d 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from edit" -l issuer -d 'Fill the endpoints from this issuer\'s metadata (RFC 8414 / OpenID discovery)' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from edit" -l description -d 'Free text for administrators' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from edit" -l approval-prompt -d 'Text shown before the browser opens for authorization' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from edit" -l grant -d 'OAuth 2.0 grant [default: authorization_code]' -r -f -a "authorization_code\t'A person authorizes in the browser (RFC 6749 4.1, with PKCE)'
client_credentials\t'The client acts as itself; no user (RFC 6749 4.4)'
device_code\t'A person authorizes on another device (RFC 8628)'"
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from edit" -l auth-url -d 'Authorization endpoint (its query parameters are kept)' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from edit" -l token-url -d 'Token endpoint' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from edit" -l revocation-url -d 'Revocation endpoint (RFC 7009)' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from edit" -l device-url -d 'Device authorization endpoint (RFC 8628)' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from edit" -l client-id -d 'Client identifier issued by the provider' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from edit" -l client-secret-env -d 'Read the client secret from this environment variable whenever it is needed' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from edit" -l client-secret-command -d 'Run this shell command whenever the client secret is needed (its stdout)' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from edit" -l client-auth -d 'Client authentication at the token endpoint [default: basic]' -r -f -a "basic\t'HTTP Basic with the client id and secret (`client_secret_basic`)'
post\t'Client id and secret in the request body (`client_secret_post`)'
none\t'A public client: only `client_id` is sent'"
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from edit" -l scope -d 'A scope to request (repeatable; none = send no scope); in `edit`, replaces the list' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from edit" -l scope-delimiter -d 'How scopes are joined in requests [default: " "]' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from edit" -l expires-in -d 'Access-token lifetime when the server sends no expires_in (e.g. 90m, 1h)' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from edit" -l refresh-skew -d 'Refresh this long before expiry [default: 60s]' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from edit" -l redirect-uri -d 'Loopback redirect URI (no port or port 0 = any free port) [default: http://127.0.0.1/callback]' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from edit" -l prompt -d 'The OpenID Connect `prompt` parameter (e.g. consent, select_account)' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from edit" -l auth-param -l add-auth-param -d 'Extra authorization parameter; in `edit`, adds or replaces that key (repeatable)' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from edit" -l token-header -l add-token-header -d 'Extra token-request header; in `edit`, adds or replaces that key (repeatable)' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from edit" -l token-param -l add-token-param -d 'Extra token-request parameter; in `edit`, adds or replaces that key (repeatable)' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from edit" -l allowed-host -d 'A host this app\'s tokens may be sent to (repeatable; `*.example.com` allowed); in `edit`, replaces the list' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from edit" -l base-url -d 'Where `outbound curl APP /path` resolves a relative URL, e.g. https://api.github.com' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from edit" -l proxy -d 'Proxy for every request of this app (http, https, socks5)' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from edit" -l ca-file -d 'Extra CA certificates (PEM) to trust for this app' -r -F
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from edit" -l token-body -d 'Token-request body for non-standard servers [default: form]' -r -f -a "form\t'application/x-www-form-urlencoded (RFC 6749)'
json\t'application/json'"
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from edit" -l refresh-url -d 'A separate URL for refresh requests (non-standard servers)' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from edit" -l token-field -d 'Where a token-response field is in the answer, e.g. access_token=authed_user.access_token (repeatable)' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from edit" -l token-header-name -d 'Header that carries the token in `outbound curl` [default: Authorization]' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from edit" -l token-format -d 'Format of that header\'s value [default: "Bearer {token}"]' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from edit" -l add-scope -d 'Add a scope, keeping the others (repeatable)' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from edit" -l remove-scope -d 'Remove a scope, keeping the others (repeatable)' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from edit" -l add-allowed-host -d 'Add an allowed host, keeping the others (repeatable)' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from edit" -l remove-allowed-host -d 'Remove an allowed host, keeping the others (repeatable)' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from edit" -l remove-auth-param -d 'Remove one authorization parameter (repeatable)' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from edit" -l remove-token-header -d 'Remove one token-request header (repeatable)' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from edit" -l remove-token-param -d 'Remove one token-request parameter (repeatable)' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from edit" -l unset -d 'Remove a setting (e.g. `prompt`, `expires_in`, `auth_params`, `auth_params.KEY`)' -r
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from edit" -l config -d 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]' -r -F
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from edit" -l store -d 'Where secrets are kept [default: `store` in the config file, else keyring]' -r -f -a "keyring\t'The OS credential store (Secret Service, Keychain, Credential Manager)'
file\t'A 0600 JSON file in the state directory; unencrypted'"
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from edit" -l client-secret-stdin -d 'Read the client secret from standard input (never from a flag)'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from edit" -l no-pkce -d 'Turn PKCE (S256) off for servers that reject it'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from edit" -l pkce -d 'Turn PKCE (S256) back on (the default)'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from edit" -l trace -d 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from edit" -l no-input -d 'Never prompt; fail with a clear message where input would be needed'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from edit" -s q -l quiet -d 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from edit" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from edit" -s V -l version -d 'Print version'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from enable" -l config -d 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]' -r -F
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from enable" -l store -d 'Where secrets are kept [default: `store` in the config file, else keyring]' -r -f -a "keyring\t'The OS credential store (Secret Service, Keychain, Credential Manager)'
file\t'A 0600 JSON file in the state directory; unencrypted'"
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from enable" -l trace -d 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from enable" -l no-input -d 'Never prompt; fail with a clear message where input would be needed'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from enable" -s q -l quiet -d 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from enable" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from enable" -s V -l version -d 'Print version'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from disable" -l config -d 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]' -r -F
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from disable" -l store -d 'Where secrets are kept [default: `store` in the config file, else keyring]' -r -f -a "keyring\t'The OS credential store (Secret Service, Keychain, Credential Manager)'
file\t'A 0600 JSON file in the state directory; unencrypted'"
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from disable" -l trace -d 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from disable" -l no-input -d 'Never prompt; fail with a clear message where input would be needed'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from disable" -s q -l quiet -d 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from disable" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from disable" -s V -l version -d 'Print version'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from reset" -l config -d 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]' -r -F
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from reset" -l store -d 'Where secrets are kept [default: `store` in the config file, else keyring]' -r -f -a "keyring\t'The OS credential store (Secret Service, Keychain, Credential Manager)'
file\t'A 0600 JSON file in the state directory; unencrypted'"
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from reset" -s y -l yes -d 'Do not ask for confirmation'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from reset" -l no-revoke -d 'Remove this user\'s tokens without revoking them at the server'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from reset" -l trace -d 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from reset" -l no-input -d 'Never prompt; fail with a clear message where input would be needed'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from reset" -s q -l quiet -d 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from reset" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from reset" -s V -l version -d 'Print version'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from delete" -l config -d 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]' -r -F
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from delete" -l store -d 'Where secrets are kept [default: `store` in the config file, else keyring]' -r -f -a "keyring\t'The OS credential store (Secret Service, Keychain, Credential Manager)'
file\t'A 0600 JSON file in the state directory; unencrypted'"
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from delete" -s y -l yes -d 'Do not ask for confirmation'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from delete" -l no-revoke -d 'Remove this user\'s tokens without revoking them at the server'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from delete" -l trace -d 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from delete" -l no-input -d 'Never prompt; fail with a clear message where input would be needed'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from delete" -s q -l quiet -d 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from delete" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from delete" -s V -l version -d 'Print version'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from secret" -l config -d 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]' -r -F
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from secret" -l store -d 'Where secrets are kept [default: `store` in the config file, else keyring]' -r -f -a "keyring\t'The OS credential store (Secret Service, Keychain, Credential Manager)'
file\t'A 0600 JSON file in the state directory; unencrypted'"
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from secret" -l trace -d 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from secret" -l no-input -d 'Never prompt; fail with a clear message where input would be needed'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from secret" -s q -l quiet -d 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from secret" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from secret" -s V -l version -d 'Print version'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from secret" -f -a "set" -d 'Store a new client secret (read from standard input, or a hidden prompt)'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from secret" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from help" -f -a "add" -d 'Define a new application'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from help" -f -a "presets" -d 'List the provider presets, or show one'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the applications in the configuration file'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one application\'s settings (the client secret only as where it lives)'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from help" -f -a "edit" -d 'Change an application\'s settings: only what is given changes'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from help" -f -a "enable" -d 'Allow the application\'s tokens to be used and new authorizations to start'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from help" -f -a "disable" -d 'Refuse every use of the application\'s tokens (nothing is deleted)'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from help" -f -a "reset" -d 'Invalidate every user\'s tokens for the application (bumps its generation)'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from help" -f -a "delete" -d 'Delete the application, its stored client secret, and this user\'s tokens'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from help" -f -a "secret" -d 'Manage the application\'s client secret'
complete -c outbound -n "__fish_outbound_using_subcommand app; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c outbound -n "__fish_outbound_using_subcommand authorize" -l account -d 'The account to authorize [default: default]' -r
complete -c outbound -n "__fish_outbound_using_subcommand authorize" -l scope -d 'Scopes for this account instead of the app\'s (repeatable; remembered)' -r
complete -c outbound -n "__fish_outbound_using_subcommand authorize" -l prompt -d 'The `prompt` parameter for this account (remembered)' -r
complete -c outbound -n "__fish_outbound_using_subcommand authorize" -l timeout -d 'How long to wait for the browser or the device (e.g. 90, 5m) [default: 5m]' -r
complete -c outbound -n "__fish_outbound_using_subcommand authorize" -l base-url -d 'This account\'s base URL for `outbound curl` (remembered; before the app\'s)' -r
complete -c outbound -n "__fish_outbound_using_subcommand authorize" -l config -d 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]' -r -F
complete -c outbound -n "__fish_outbound_using_subcommand authorize" -l store -d 'Where secrets are kept [default: `store` in the config file, else keyring]' -r -f -a "keyring\t'The OS credential store (Secret Service, Keychain, Credential Manager)'
file\t'A 0600 JSON file in the state directory; unencrypted'"
complete -c outbound -n "__fish_outbound_using_subcommand authorize" -l no-browser -d 'Do not open a browser; only print the URL'
complete -c outbound -n "__fish_outbound_using_subcommand authorize" -l manual -d 'Paste the redirected URL (or the code) back instead of running a listener'
complete -c outbound -n "__fish_outbound_using_subcommand authorize" -l device -d 'Use the device authorization grant (RFC 8628)'
complete -c outbound -n "__fish_outbound_using_subcommand authorize" -s y -l yes -d 'Do not ask before starting (the approval prompt is still shown)'
complete -c outbound -n "__fish_outbound_using_subcommand authorize" -l trace -d 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
complete -c outbound -n "__fish_outbound_using_subcommand authorize" -l no-input -d 'Never prompt; fail with a clear message where input would be needed'
complete -c outbound -n "__fish_outbound_using_subcommand authorize" -s q -l quiet -d 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
complete -c outbound -n "__fish_outbound_using_subcommand authorize" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c outbound -n "__fish_outbound_using_subcommand authorize" -s V -l version -d 'Print version'
complete -c outbound -n "__fish_outbound_using_subcommand login" -l account -d 'The account to authorize [default: default]' -r
complete -c outbound -n "__fish_outbound_using_subcommand login" -l scope -d 'Scopes for this account instead of the app\'s (repeatable; remembered)' -r
complete -c outbound -n "__fish_outbound_using_subcommand login" -l prompt -d 'The `prompt` parameter for this account (remembered)' -r
complete -c outbound -n "__fish_outbound_using_subcommand login" -l timeout -d 'How long to wait for the browser or the device (e.g. 90, 5m) [default: 5m]' -r
complete -c outbound -n "__fish_outbound_using_subcommand login" -l base-url -d 'This account\'s base URL for `outbound curl` (remembered; before the app\'s)' -r
complete -c outbound -n "__fish_outbound_using_subcommand login" -l config -d 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]' -r -F
complete -c outbound -n "__fish_outbound_using_subcommand login" -l store -d 'Where secrets are kept [default: `store` in the config file, else keyring]' -r -f -a "keyring\t'The OS credential store (Secret Service, Keychain, Credential Manager)'
file\t'A 0600 JSON file in the state directory; unencrypted'"
complete -c outbound -n "__fish_outbound_using_subcommand login" -l no-browser -d 'Do not open a browser; only print the URL'
complete -c outbound -n "__fish_outbound_using_subcommand login" -l manual -d 'Paste the redirected URL (or the code) back instead of running a listener'
complete -c outbound -n "__fish_outbound_using_subcommand login" -l device -d 'Use the device authorization grant (RFC 8628)'
complete -c outbound -n "__fish_outbound_using_subcommand login" -s y -l yes -d 'Do not ask before starting (the approval prompt is still shown)'
complete -c outbound -n "__fish_outbound_using_subcommand login" -l trace -d 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
complete -c outbound -n "__fish_outbound_using_subcommand login" -l no-input -d 'Never prompt; fail with a clear message where input would be needed'
complete -c outbound -n "__fish_outbound_using_subcommand login" -s q -l quiet -d 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
complete -c outbound -n "__fish_outbound_using_subcommand login" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c outbound -n "__fish_outbound_using_subcommand login" -s V -l version -d 'Print version'
complete -c outbound -n "__fish_outbound_using_subcommand status" -l config -d 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]' -r -F
complete -c outbound -n "__fish_outbound_using_subcommand status" -l store -d 'Where secrets are kept [default: `store` in the config file, else keyring]' -r -f -a "keyring\t'The OS credential store (Secret Service, Keychain, Credential Manager)'
file\t'A 0600 JSON file in the state directory; unencrypted'"
complete -c outbound -n "__fish_outbound_using_subcommand status" -l json -d 'Print a JSON array (stable; see the README)'
complete -c outbound -n "__fish_outbound_using_subcommand status" -l check -d 'Exit 4 unless every application shown has a usable account (authorized, or expired with a refresh token), 5 if the one named is disabled'
complete -c outbound -n "__fish_outbound_using_subcommand status" -l trace -d 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
complete -c outbound -n "__fish_outbound_using_subcommand status" -l no-input -d 'Never prompt; fail with a clear message where input would be needed'
complete -c outbound -n "__fish_outbound_using_subcommand status" -s q -l quiet -d 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
complete -c outbound -n "__fish_outbound_using_subcommand status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c outbound -n "__fish_outbound_using_subcommand status" -s V -l version -d 'Print version'
complete -c outbound -n "__fish_outbound_using_subcommand token" -l account -d 'The account [default: default]' -r
complete -c outbound -n "__fish_outbound_using_subcommand token" -l config -d 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]' -r -F
complete -c outbound -n "__fish_outbound_using_subcommand token" -l store -d 'Where secrets are kept [default: `store` in the config file, else keyring]' -r -f -a "keyring\t'The OS credential store (Secret Service, Keychain, Credential Manager)'
file\t'A 0600 JSON file in the state directory; unencrypted'"
complete -c outbound -n "__fish_outbound_using_subcommand token" -l json -d 'Print a JSON object with the token, its type, expiry and scopes'
complete -c outbound -n "__fish_outbound_using_subcommand token" -l force-refresh -l keep-alive -d 'Refresh now even if the token is fresh (also keeps idle refresh tokens alive)'
complete -c outbound -n "__fish_outbound_using_subcommand token" -l trace -d 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
complete -c outbound -n "__fish_outbound_using_subcommand token" -l no-input -d 'Never prompt; fail with a clear message where input would be needed'
complete -c outbound -n "__fish_outbound_using_subcommand token" -s q -l quiet -d 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
complete -c outbound -n "__fish_outbound_using_subcommand token" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c outbound -n "__fish_outbound_using_subcommand token" -s V -l version -d 'Print version'
complete -c outbound -n "__fish_outbound_using_subcommand audit" -l limit -d 'Only the last N events' -r
complete -c outbound -n "__fish_outbound_using_subcommand audit" -l config -d 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]' -r -F
complete -c outbound -n "__fish_outbound_using_subcommand audit" -l store -d 'Where secrets are kept [default: `store` in the config file, else keyring]' -r -f -a "keyring\t'The OS credential store (Secret Service, Keychain, Credential Manager)'
file\t'A 0600 JSON file in the state directory; unencrypted'"
complete -c outbound -n "__fish_outbound_using_subcommand audit" -l json -d 'Print JSON lines, one event each'
complete -c outbound -n "__fish_outbound_using_subcommand audit" -l trace -d 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
complete -c outbound -n "__fish_outbound_using_subcommand audit" -l no-input -d 'Never prompt; fail with a clear message where input would be needed'
complete -c outbound -n "__fish_outbound_using_subcommand audit" -s q -l quiet -d 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
complete -c outbound -n "__fish_outbound_using_subcommand audit" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c outbound -n "__fish_outbound_using_subcommand audit" -s V -l version -d 'Print version'
complete -c outbound -n "__fish_outbound_using_subcommand doctor" -l config -d 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]' -r -F
complete -c outbound -n "__fish_outbound_using_subcommand doctor" -l store -d 'Where secrets are kept [default: `store` in the config file, else keyring]' -r -f -a "keyring\t'The OS credential store (Secret Service, Keychain, Credential Manager)'
file\t'A 0600 JSON file in the state directory; unencrypted'"
complete -c outbound -n "__fish_outbound_using_subcommand doctor" -l json -d 'The checks as JSON: {checks: [{check, status, detail, fix}], failures, warnings}'
complete -c outbound -n "__fish_outbound_using_subcommand doctor" -l trace -d 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
complete -c outbound -n "__fish_outbound_using_subcommand doctor" -l no-input -d 'Never prompt; fail with a clear message where input would be needed'
complete -c outbound -n "__fish_outbound_using_subcommand doctor" -s q -l quiet -d 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
complete -c outbound -n "__fish_outbound_using_subcommand doctor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c outbound -n "__fish_outbound_using_subcommand doctor" -s V -l version -d 'Print version'
complete -c outbound -n "__fish_outbound_using_subcommand curl" -l account -d 'The account [default: default]' -r
complete -c outbound -n "__fish_outbound_using_subcommand curl" -s X -l request -d 'HTTP method' -r
complete -c outbound -n "__fish_outbound_using_subcommand curl" -s H -l header -d 'Extra header "Name: value" (repeatable)' -r
complete -c outbound -n "__fish_outbound_using_subcommand curl" -s d -l data -d 'POST data; @FILE reads a file (newlines stripped), @- standard input' -r
complete -c outbound -n "__fish_outbound_using_subcommand curl" -l data-raw -d 'POST data, with no @ interpretation' -r
complete -c outbound -n "__fish_outbound_using_subcommand curl" -l data-binary -d 'POST data as is; @FILE is streamed' -r
complete -c outbound -n "__fish_outbound_using_subcommand curl" -l data-urlencode -d 'POST data, URL-encoded (content, =content, name=content, @file, name@file)' -r
complete -c outbound -n "__fish_outbound_using_subcommand curl" -l json -d 'JSON body (sets Content-Type and Accept to application/json)' -r
complete -c outbound -n "__fish_outbound_using_subcommand curl" -s F -l form -d 'Multipart form field name=value or name=@file (repeatable)' -r
complete -c outbound -n "__fish_outbound_using_subcommand curl" -s T -l upload-file -d 'Upload this file (PUT), streamed' -r -F
complete -c outbound -n "__fish_outbound_using_subcommand curl" -s o -l output -d 'Write the body to this file instead of standard output' -r -F
complete -c outbound -n "__fish_outbound_using_subcommand curl" -s D -l dump-header -d 'Write the response headers to this file (`-` for standard output)' -r -F
complete -c outbound -n "__fish_outbound_using_subcommand curl" -s A -l user-agent -d 'The User-Agent header to send' -r
complete -c outbound -n "__fish_outbound_using_subcommand curl" -l cacert -d 'Trust the CA certificates (PEM) in this file for this call, beside the app\'s' -r -F
complete -c outbound -n "__fish_outbound_using_subcommand curl" -l retry -d 'Retry this many times on a timeout or an HTTP 408, 429, 500, 502, 503 or 504' -r
complete -c outbound -n "__fish_outbound_using_subcommand curl" -l retry-delay -d 'Seconds between retries [default: Retry-After, else 1, 2, 4, … up to 10 minutes]' -r
complete -c outbound -n "__fish_outbound_using_subcommand curl" -l max-redirs -d 'Most redirects to follow with -L' -r
complete -c outbound -n "__fish_outbound_using_subcommand curl" -s m -l max-time -d 'Most seconds the whole transfer may take' -r
complete -c outbound -n "__fish_outbound_using_subcommand curl" -l connect-timeout -d 'Most seconds the connection may take' -r
complete -c outbound -n "__fish_outbound_using_subcommand curl" -s w -l write-out -d 'Print this after the transfer (%{http_code}, %{time_total}, %{size_download}, %{url_effective}, …)' -r
complete -c outbound -n "__fish_outbound_using_subcommand curl" -s x -l proxy -d 'Use this proxy for this request (instead of the app\'s)' -r
complete -c outbound -n "__fish_outbound_using_subcommand curl" -l config -d 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]' -r -F
complete -c outbound -n "__fish_outbound_using_subcommand curl" -l store -d 'Where secrets are kept [default: `store` in the config file, else keyring]' -r -f -a "keyring\t'The OS credential store (Secret Service, Keychain, Credential Manager)'
file\t'A 0600 JSON file in the state directory; unencrypted'"
complete -c outbound -n "__fish_outbound_using_subcommand curl" -s G -l get -d 'Send the data as query parameters of a GET'
complete -c outbound -n "__fish_outbound_using_subcommand curl" -s O -l remote-name -d 'Write the body to a file named like the URL\'s last path segment, in this directory'
complete -c outbound -n "__fish_outbound_using_subcommand curl" -s i -l include -d 'Include the response headers in the output'
complete -c outbound -n "__fish_outbound_using_subcommand curl" -s I -l head -d 'HEAD request; print the response headers'
complete -c outbound -n "__fish_outbound_using_subcommand curl" -s s -l silent -d 'No error messages about the transfer'
complete -c outbound -n "__fish_outbound_using_subcommand curl" -s S -l show-error -d 'With -s, still show errors'
complete -c outbound -n "__fish_outbound_using_subcommand curl" -s v -l verbose -d 'Show request and response headers on stderr (the token masked)'
complete -c outbound -n "__fish_outbound_using_subcommand curl" -s f -l fail -d 'Exit 22 on HTTP >= 400, without printing the body'
complete -c outbound -n "__fish_outbound_using_subcommand curl" -l fail-with-body -d 'Exit 22 on HTTP >= 400, printing the body'
complete -c outbound -n "__fish_outbound_using_subcommand curl" -s L -l location -d 'Follow redirects (the token never goes to another origin)'
complete -c outbound -n "__fish_outbound_using_subcommand curl" -l compressed -d 'Ask for a compressed response and decompress it'
complete -c outbound -n "__fish_outbound_using_subcommand curl" -l trace -d 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
complete -c outbound -n "__fish_outbound_using_subcommand curl" -l no-input -d 'Never prompt; fail with a clear message where input would be needed'
complete -c outbound -n "__fish_outbound_using_subcommand curl" -s q -l quiet -d 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
complete -c outbound -n "__fish_outbound_using_subcommand curl" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c outbound -n "__fish_outbound_using_subcommand curl" -s V -l version -d 'Print version'
complete -c outbound -n "__fish_outbound_using_subcommand account; and not __fish_seen_subcommand_from enable disable edit help" -l config -d 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]' -r -F
complete -c outbound -n "__fish_outbound_using_subcommand account; and not __fish_seen_subcommand_from enable disable edit help" -l store -d 'Where secrets are kept [default: `store` in the config file, else keyring]' -r -f -a "keyring\t'The OS credential store (Secret Service, Keychain, Credential Manager)'
file\t'A 0600 JSON file in the state directory; unencrypted'"
complete -c outbound -n "__fish_outbound_using_subcommand account; and not __fish_seen_subcommand_from enable disable edit help" -l trace -d 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
complete -c outbound -n "__fish_outbound_using_subcommand account; and not __fish_seen_subcommand_from enable disable edit help" -l no-input -d 'Never prompt; fail with a clear message where input would be needed'
complete -c outbound -n "__fish_outbound_using_subcommand account; and not __fish_seen_subcommand_from enable disable edit help" -s q -l quiet -d 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
complete -c outbound -n "__fish_outbound_using_subcommand account; and not __fish_seen_subcommand_from enable disable edit help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c outbound -n "__fish_outbound_using_subcommand account; and not __fish_seen_subcommand_from enable disable edit help" -s V -l version -d 'Print version'
complete -c outbound -n "__fish_outbound_using_subcommand account; and not __fish_seen_subcommand_from enable disable edit help" -f -a "enable" -d 'Let the account\'s tokens be used again'
complete -c outbound -n "__fish_outbound_using_subcommand account; and not __fish_seen_subcommand_from enable disable edit help" -f -a "disable" -d 'Refuse every use of the account\'s tokens (they are kept; exit 5 until enabled)'
complete -c outbound -n "__fish_outbound_using_subcommand account; and not __fish_seen_subcommand_from enable disable edit help" -f -a "edit" -d 'Change the account\'s own settings'
complete -c outbound -n "__fish_outbound_using_subcommand account; and not __fish_seen_subcommand_from enable disable edit help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c outbound -n "__fish_outbound_using_subcommand account; and __fish_seen_subcommand_from enable" -l account -d 'The account [default: default]' -r
complete -c outbound -n "__fish_outbound_using_subcommand account; and __fish_seen_subcommand_from enable" -l config -d 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]' -r -F
complete -c outbound -n "__fish_outbound_using_subcommand account; and __fish_seen_subcommand_from enable" -l store -d 'Where secrets are kept [default: `store` in the config file, else keyring]' -r -f -a "keyring\t'The OS credential store (Secret Service, Keychain, Credential Manager)'
file\t'A 0600 JSON file in the state directory; unencrypted'"
complete -c outbound -n "__fish_outbound_using_subcommand account; and __fish_seen_subcommand_from enable" -l trace -d 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
complete -c outbound -n "__fish_outbound_using_subcommand account; and __fish_seen_subcommand_from enable" -l no-input -d 'Never prompt; fail with a clear message where input would be needed'
complete -c outbound -n "__fish_outbound_using_subcommand account; and __fish_seen_subcommand_from enable" -s q -l quiet -d 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
complete -c outbound -n "__fish_outbound_using_subcommand account; and __fish_seen_subcommand_from enable" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c outbound -n "__fish_outbound_using_subcommand account; and __fish_seen_subcommand_from enable" -s V -l version -d 'Print version'
complete -c outbound -n "__fish_outbound_using_subcommand account; and __fish_seen_subcommand_from disable" -l account -d 'The account [default: default]' -r
complete -c outbound -n "__fish_outbound_using_subcommand account; and __fish_seen_subcommand_from disable" -l config -d 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]' -r -F
complete -c outbound -n "__fish_outbound_using_subcommand account; and __fish_seen_subcommand_from disable" -l store -d 'Where secrets are kept [default: `store` in the config file, else keyring]' -r -f -a "keyring\t'The OS credential store (Secret Service, Keychain, Credential Manager)'
file\t'A 0600 JSON file in the state directory; unencrypted'"
complete -c outbound -n "__fish_outbound_using_subcommand account; and __fish_seen_subcommand_from disable" -l trace -d 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
complete -c outbound -n "__fish_outbound_using_subcommand account; and __fish_seen_subcommand_from disable" -l no-input -d 'Never prompt; fail with a clear message where input would be needed'
complete -c outbound -n "__fish_outbound_using_subcommand account; and __fish_seen_subcommand_from disable" -s q -l quiet -d 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
complete -c outbound -n "__fish_outbound_using_subcommand account; and __fish_seen_subcommand_from disable" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c outbound -n "__fish_outbound_using_subcommand account; and __fish_seen_subcommand_from disable" -s V -l version -d 'Print version'
complete -c outbound -n "__fish_outbound_using_subcommand account; and __fish_seen_subcommand_from edit" -l account -d 'The account [default: default]' -r
complete -c outbound -n "__fish_outbound_using_subcommand account; and __fish_seen_subcommand_from edit" -l base-url -d 'Where `outbound curl` resolves a relative URL for this account' -r
complete -c outbound -n "__fish_outbound_using_subcommand account; and __fish_seen_subcommand_from edit" -l unset -d 'Remove a setting of the account' -r -f -a "base_url\t''"
complete -c outbound -n "__fish_outbound_using_subcommand account; and __fish_seen_subcommand_from edit" -l config -d 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]' -r -F
complete -c outbound -n "__fish_outbound_using_subcommand account; and __fish_seen_subcommand_from edit" -l store -d 'Where secrets are kept [default: `store` in the config file, else keyring]' -r -f -a "keyring\t'The OS credential store (Secret Service, Keychain, Credential Manager)'
file\t'A 0600 JSON file in the state directory; unencrypted'"
complete -c outbound -n "__fish_outbound_using_subcommand account; and __fish_seen_subcommand_from edit" -l trace -d 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
complete -c outbound -n "__fish_outbound_using_subcommand account; and __fish_seen_subcommand_from edit" -l no-input -d 'Never prompt; fail with a clear message where input would be needed'
complete -c outbound -n "__fish_outbound_using_subcommand account; and __fish_seen_subcommand_from edit" -s q -l quiet -d 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
complete -c outbound -n "__fish_outbound_using_subcommand account; and __fish_seen_subcommand_from edit" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c outbound -n "__fish_outbound_using_subcommand account; and __fish_seen_subcommand_from edit" -s V -l version -d 'Print version'
complete -c outbound -n "__fish_outbound_using_subcommand account; and __fish_seen_subcommand_from help" -f -a "enable" -d 'Let the account\'s tokens be used again'
complete -c outbound -n "__fish_outbound_using_subcommand account; and __fish_seen_subcommand_from help" -f -a "disable" -d 'Refuse every use of the account\'s tokens (they are kept; exit 5 until enabled)'
complete -c outbound -n "__fish_outbound_using_subcommand account; and __fish_seen_subcommand_from help" -f -a "edit" -d 'Change the account\'s own settings'
complete -c outbound -n "__fish_outbound_using_subcommand account; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c outbound -n "__fish_outbound_using_subcommand store; and not __fish_seen_subcommand_from migrate help" -l config -d 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]' -r -F
complete -c outbound -n "__fish_outbound_using_subcommand store; and not __fish_seen_subcommand_from migrate help" -l store -d 'Where secrets are kept [default: `store` in the config file, else keyring]' -r -f -a "keyring\t'The OS credential store (Secret Service, Keychain, Credential Manager)'
file\t'A 0600 JSON file in the state directory; unencrypted'"
complete -c outbound -n "__fish_outbound_using_subcommand store; and not __fish_seen_subcommand_from migrate help" -l trace -d 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
complete -c outbound -n "__fish_outbound_using_subcommand store; and not __fish_seen_subcommand_from migrate help" -l no-input -d 'Never prompt; fail with a clear message where input would be needed'
complete -c outbound -n "__fish_outbound_using_subcommand store; and not __fish_seen_subcommand_from migrate help" -s q -l quiet -d 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
complete -c outbound -n "__fish_outbound_using_subcommand store; and not __fish_seen_subcommand_from migrate help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c outbound -n "__fish_outbound_using_subcommand store; and not __fish_seen_subcommand_from migrate help" -s V -l version -d 'Print version'
complete -c outbound -n "__fish_outbound_using_subcommand store; and not __fish_seen_subcommand_from migrate help" -f -a "migrate" -d 'Move this file\'s client secrets and this user\'s tokens to another store'
complete -c outbound -n "__fish_outbound_using_subcommand store; and not __fish_seen_subcommand_from migrate help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c outbound -n "__fish_outbound_using_subcommand store; and __fish_seen_subcommand_from migrate" -l to -d 'The store to move to' -r -f -a "keyring\t'The OS credential store (Secret Service, Keychain, Credential Manager)'
file\t'A 0600 JSON file in the state directory; unencrypted'"
complete -c outbound -n "__fish_outbound_using_subcommand store; and __fish_seen_subcommand_from migrate" -l from -d 'The store to move from [default: the one in use]' -r -f -a "keyring\t'The OS credential store (Secret Service, Keychain, Credential Manager)'
file\t'A 0600 JSON file in the state directory; unencrypted'"
complete -c outbound -n "__fish_outbound_using_subcommand store; and __fish_seen_subcommand_from migrate" -l config -d 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]' -r -F
complete -c outbound -n "__fish_outbound_using_subcommand store; and __fish_seen_subcommand_from migrate" -l store -d 'Where secrets are kept [default: `store` in the config file, else keyring]' -r -f -a "keyring\t'The OS credential store (Secret Service, Keychain, Credential Manager)'
file\t'A 0600 JSON file in the state directory; unencrypted'"
complete -c outbound -n "__fish_outbound_using_subcommand store; and __fish_seen_subcommand_from migrate" -l trace -d 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
complete -c outbound -n "__fish_outbound_using_subcommand store; and __fish_seen_subcommand_from migrate" -l no-input -d 'Never prompt; fail with a clear message where input would be needed'
complete -c outbound -n "__fish_outbound_using_subcommand store; and __fish_seen_subcommand_from migrate" -s q -l quiet -d 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
complete -c outbound -n "__fish_outbound_using_subcommand store; and __fish_seen_subcommand_from migrate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c outbound -n "__fish_outbound_using_subcommand store; and __fish_seen_subcommand_from migrate" -s V -l version -d 'Print version'
complete -c outbound -n "__fish_outbound_using_subcommand store; and __fish_seen_subcommand_from help" -f -a "migrate" -d 'Move this file\'s client secrets and this user\'s tokens to another store'
complete -c outbound -n "__fish_outbound_using_subcommand store; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c outbound -n "__fish_outbound_using_subcommand logout" -l account -d 'The account [default: default]' -r
complete -c outbound -n "__fish_outbound_using_subcommand logout" -l config -d 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]' -r -F
complete -c outbound -n "__fish_outbound_using_subcommand logout" -l store -d 'Where secrets are kept [default: `store` in the config file, else keyring]' -r -f -a "keyring\t'The OS credential store (Secret Service, Keychain, Credential Manager)'
file\t'A 0600 JSON file in the state directory; unencrypted'"
complete -c outbound -n "__fish_outbound_using_subcommand logout" -l all -d 'Every account of the application (or of every application)'
complete -c outbound -n "__fish_outbound_using_subcommand logout" -l no-revoke -d 'Remove the local tokens without revoking them at the server'
complete -c outbound -n "__fish_outbound_using_subcommand logout" -l trace -d 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
complete -c outbound -n "__fish_outbound_using_subcommand logout" -l no-input -d 'Never prompt; fail with a clear message where input would be needed'
complete -c outbound -n "__fish_outbound_using_subcommand logout" -s q -l quiet -d 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
complete -c outbound -n "__fish_outbound_using_subcommand logout" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c outbound -n "__fish_outbound_using_subcommand logout" -s V -l version -d 'Print version'
complete -c outbound -n "__fish_outbound_using_subcommand prune" -l config -d 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]' -r -F
complete -c outbound -n "__fish_outbound_using_subcommand prune" -l store -d 'Where secrets are kept [default: `store` in the config file, else keyring]' -r -f -a "keyring\t'The OS credential store (Secret Service, Keychain, Credential Manager)'
file\t'A 0600 JSON file in the state directory; unencrypted'"
complete -c outbound -n "__fish_outbound_using_subcommand prune" -l no-revoke -d 'Remove the local tokens without revoking them at the server'
complete -c outbound -n "__fish_outbound_using_subcommand prune" -l trace -d 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
complete -c outbound -n "__fish_outbound_using_subcommand prune" -l no-input -d 'Never prompt; fail with a clear message where input would be needed'
complete -c outbound -n "__fish_outbound_using_subcommand prune" -s q -l quiet -d 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
complete -c outbound -n "__fish_outbound_using_subcommand prune" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c outbound -n "__fish_outbound_using_subcommand prune" -s V -l version -d 'Print version'
complete -c outbound -n "__fish_outbound_using_subcommand completions" -l config -d 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]' -r -F
complete -c outbound -n "__fish_outbound_using_subcommand completions" -l store -d 'Where secrets are kept [default: `store` in the config file, else keyring]' -r -f -a "keyring\t'The OS credential store (Secret Service, Keychain, Credential Manager)'
file\t'A 0600 JSON file in the state directory; unencrypted'"
complete -c outbound -n "__fish_outbound_using_subcommand completions" -l trace -d 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
complete -c outbound -n "__fish_outbound_using_subcommand completions" -l no-input -d 'Never prompt; fail with a clear message where input would be needed'
complete -c outbound -n "__fish_outbound_using_subcommand completions" -s q -l quiet -d 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
complete -c outbound -n "__fish_outbound_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c outbound -n "__fish_outbound_using_subcommand completions" -s V -l version -d 'Print version'
complete -c outbound -n "__fish_outbound_using_subcommand generate-docs" -l dir -d 'The project root that holds completions/ and man/' -r -F
complete -c outbound -n "__fish_outbound_using_subcommand generate-docs" -l config -d 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]' -r -F
complete -c outbound -n "__fish_outbound_using_subcommand generate-docs" -l store -d 'Where secrets are kept [default: `store` in the config file, else keyring]' -r -f -a "keyring\t'The OS credential store (Secret Service, Keychain, Credential Manager)'
file\t'A 0600 JSON file in the state directory; unencrypted'"
complete -c outbound -n "__fish_outbound_using_subcommand generate-docs" -l check -d 'Fail when a file differs instead of writing it'
complete -c outbound -n "__fish_outbound_using_subcommand generate-docs" -l trace -d 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
complete -c outbound -n "__fish_outbound_using_subcommand generate-docs" -l no-input -d 'Never prompt; fail with a clear message where input would be needed'
complete -c outbound -n "__fish_outbound_using_subcommand generate-docs" -s q -l quiet -d 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
complete -c outbound -n "__fish_outbound_using_subcommand generate-docs" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c outbound -n "__fish_outbound_using_subcommand generate-docs" -s V -l version -d 'Print version'
complete -c outbound -n "__fish_outbound_using_subcommand help; and not __fish_seen_subcommand_from app authorize status token audit doctor curl account store logout prune completions generate-docs help" -f -a "app" -d 'Administer applications (add, list, show, edit, enable, disable, reset, delete)'
complete -c outbound -n "__fish_outbound_using_subcommand help; and not __fish_seen_subcommand_from app authorize status token audit doctor curl account store logout prune completions generate-docs help" -f -a "authorize" -d 'Authorize an application: browser and loopback, device grant, or client credentials'
complete -c outbound -n "__fish_outbound_using_subcommand help; and not __fish_seen_subcommand_from app authorize status token audit doctor curl account store logout prune completions generate-docs help" -f -a "status" -d 'Every application and account of this user: state, expiry, scopes, last error'
complete -c outbound -n "__fish_outbound_using_subcommand help; and not __fish_seen_subcommand_from app authorize status token audit doctor curl account store logout prune completions generate-docs help" -f -a "token" -d 'Print a valid access token (refreshed when needed), for $(...) in scripts'
complete -c outbound -n "__fish_outbound_using_subcommand help; and not __fish_seen_subcommand_from app authorize status token audit doctor curl account store logout prune completions generate-docs help" -f -a "audit" -d 'Show the audit log (enable it with `audit = true` in the configuration file)'
complete -c outbound -n "__fish_outbound_using_subcommand help; and not __fish_seen_subcommand_from app authorize status token audit doctor curl account store logout prune completions generate-docs help" -f -a "doctor" -d 'Check the configuration, the store, the browser, and each app\'s endpoints'
complete -c outbound -n "__fish_outbound_using_subcommand help; and not __fish_seen_subcommand_from app authorize status token audit doctor curl account store logout prune completions generate-docs help" -f -a "curl" -d 'Make an HTTP request with the app\'s token attached (curl\'s flags)'
complete -c outbound -n "__fish_outbound_using_subcommand help; and not __fish_seen_subcommand_from app authorize status token audit doctor curl account store logout prune completions generate-docs help" -f -a "account" -d 'One account\'s own settings: enable, disable, base URL'
complete -c outbound -n "__fish_outbound_using_subcommand help; and not __fish_seen_subcommand_from app authorize status token audit doctor curl account store logout prune completions generate-docs help" -f -a "store" -d 'This user\'s secret store: move every secret to another one'
complete -c outbound -n "__fish_outbound_using_subcommand help; and not __fish_seen_subcommand_from app authorize status token audit doctor curl account store logout prune completions generate-docs help" -f -a "logout" -d 'Revoke an account\'s tokens at the server and remove them'
complete -c outbound -n "__fish_outbound_using_subcommand help; and not __fish_seen_subcommand_from app authorize status token audit doctor curl account store logout prune completions generate-docs help" -f -a "prune" -d 'Remove this user\'s tokens of deleted applications (orphans) and of reset ones, revoking those whose application is still defined'
complete -c outbound -n "__fish_outbound_using_subcommand help; and not __fish_seen_subcommand_from app authorize status token audit doctor curl account store logout prune completions generate-docs help" -f -a "completions" -d 'Print a shell completion script'
complete -c outbound -n "__fish_outbound_using_subcommand help; and not __fish_seen_subcommand_from app authorize status token audit doctor curl account store logout prune completions generate-docs help" -f -a "generate-docs" -d 'Regenerate (or with --check, verify) completions/ and man/'
complete -c outbound -n "__fish_outbound_using_subcommand help; and not __fish_seen_subcommand_from app authorize status token audit doctor curl account store logout prune completions generate-docs help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c outbound -n "__fish_outbound_using_subcommand help; and __fish_seen_subcommand_from app" -f -a "add" -d 'Define a new application'
complete -c outbound -n "__fish_outbound_using_subcommand help; and __fish_seen_subcommand_from app" -f -a "presets" -d 'List the provider presets, or show one'
complete -c outbound -n "__fish_outbound_using_subcommand help; and __fish_seen_subcommand_from app" -f -a "list" -d 'List the applications in the configuration file'
complete -c outbound -n "__fish_outbound_using_subcommand help; and __fish_seen_subcommand_from app" -f -a "show" -d 'Show one application\'s settings (the client secret only as where it lives)'
complete -c outbound -n "__fish_outbound_using_subcommand help; and __fish_seen_subcommand_from app" -f -a "edit" -d 'Change an application\'s settings: only what is given changes'
complete -c outbound -n "__fish_outbound_using_subcommand help; and __fish_seen_subcommand_from app" -f -a "enable" -d 'Allow the application\'s tokens to be used and new authorizations to start'
complete -c outbound -n "__fish_outbound_using_subcommand help; and __fish_seen_subcommand_from app" -f -a "disable" -d 'Refuse every use of the application\'s tokens (nothing is deleted)'
complete -c outbound -n "__fish_outbound_using_subcommand help; and __fish_seen_subcommand_from app" -f -a "reset" -d 'Invalidate every user\'s tokens for the application (bumps its generation)'
complete -c outbound -n "__fish_outbound_using_subcommand help; and __fish_seen_subcommand_from app" -f -a "delete" -d 'Delete the application, its stored client secret, and this user\'s tokens'
complete -c outbound -n "__fish_outbound_using_subcommand help; and __fish_seen_subcommand_from app" -f -a "secret" -d 'Manage the application\'s client secret'
complete -c outbound -n "__fish_outbound_using_subcommand help; and __fish_seen_subcommand_from account" -f -a "enable" -d 'Let the account\'s tokens be used again'
complete -c outbound -n "__fish_outbound_using_subcommand help; and __fish_seen_subcommand_from account" -f -a "disable" -d 'Refuse every use of the account\'s tokens (they are kept; exit 5 until enabled)'
complete -c outbound -n "__fish_outbound_using_subcommand help; and __fish_seen_subcommand_from account" -f -a "edit" -d 'Change the account\'s own settings'
complete -c outbound -n "__fish_outbound_using_subcommand help; and __fish_seen_subcommand_from store" -f -a "migrate" -d 'Move this file\'s client secrets and this user\'s tokens to another store'
