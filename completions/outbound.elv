
use builtin;
use str;

set edit:completion:arg-completer[outbound] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'outbound'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'outbound'= {
            cand --config 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]'
            cand --store 'Where secrets are kept [default: `store` in the config file, else keyring]'
            cand --trace 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
            cand --no-input 'Never prompt; fail with a clear message where input would be needed'
            cand -q 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand --quiet 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand app 'Administer applications (add, list, show, edit, enable, disable, reset, delete)'
            cand authorize 'Authorize an application: browser and loopback, device grant, or client credentials'
            cand login 'Authorize an application: browser and loopback, device grant, or client credentials'
            cand status 'Every application and account of this user: state, expiry, scopes, last error'
            cand token 'Print a valid access token (refreshed when needed), for $(...) in scripts'
            cand audit 'Show the audit log (enable it with `audit = true` in the configuration file)'
            cand doctor 'Check the configuration, the store, the browser, and each app''s endpoints'
            cand curl 'Make an HTTP request with the app''s token attached (curl''s flags)'
            cand account 'One account''s own settings: enable, disable, base URL'
            cand store 'This user''s secret store: move every secret to another one'
            cand logout 'Revoke an account''s tokens at the server and remove them'
            cand prune 'Remove this user''s tokens of deleted applications (orphans) and of reset ones, revoking those whose application is still defined'
            cand completions 'Print a shell completion script'
            cand generate-docs 'Regenerate (or with --check, verify) completions/ and man/'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'outbound;app'= {
            cand --config 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]'
            cand --store 'Where secrets are kept [default: `store` in the config file, else keyring]'
            cand --trace 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
            cand --no-input 'Never prompt; fail with a clear message where input would be needed'
            cand -q 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand --quiet 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand add 'Define a new application'
            cand presets 'List the provider presets, or show one'
            cand list 'List the applications in the configuration file'
            cand show 'Show one application''s settings (the client secret only as where it lives)'
            cand edit 'Change an application''s settings: only what is given changes'
            cand enable 'Allow the application''s tokens to be used and new authorizations to start'
            cand disable 'Refuse every use of the application''s tokens (nothing is deleted)'
            cand reset 'Invalidate every user''s tokens for the application (bumps its generation)'
            cand delete 'Delete the application, its stored client secret, and this user''s tokens'
            cand secret 'Manage the application''s client secret'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'outbound;app;add'= {
            cand --preset 'Fill endpoints and provider specifics from a preset (see `outbound app presets`)'
            cand --preset-param 'A preset parameter, e.g. domain=acme.okta.com (repeatable)'
            cand --issuer 'Fill the endpoints from this issuer''s metadata (RFC 8414 / OpenID discovery)'
            cand --description 'Free text for administrators'
            cand --approval-prompt 'Text shown before the browser opens for authorization'
            cand --grant 'OAuth 2.0 grant [default: authorization_code]'
            cand --auth-url 'Authorization endpoint (its query parameters are kept)'
            cand --token-url 'Token endpoint'
            cand --revocation-url 'Revocation endpoint (RFC 7009)'
            cand --device-url 'Device authorization endpoint (RFC 8628)'
            cand --client-id 'Client identifier issued by the provider'
            cand --client-secret-env 'Read the client secret from this environment variable whenever it is needed'
            cand --client-secret-command 'Run this shell command whenever the client secret is needed (its stdout)'
            cand --client-auth 'Client authentication at the token endpoint [default: basic]'
            cand --scope 'A scope to request (repeatable; none = send no scope); in `edit`, replaces the list'
            cand --scope-delimiter 'How scopes are joined in requests [default: " "]'
            cand --expires-in 'Access-token lifetime when the server sends no expires_in (e.g. 90m, 1h)'
            cand --refresh-skew 'Refresh this long before expiry [default: 60s]'
            cand --redirect-uri 'Loopback redirect URI (no port or port 0 = any free port) [default: http://127.0.0.1/callback]'
            cand --prompt 'The OpenID Connect `prompt` parameter (e.g. consent, select_account)'
            cand --auth-param 'Extra authorization parameter; in `edit`, adds or replaces that key (repeatable)'
            cand --add-auth-param 'Extra authorization parameter; in `edit`, adds or replaces that key (repeatable)'
            cand --token-header 'Extra token-request header; in `edit`, adds or replaces that key (repeatable)'
            cand --add-token-header 'Extra token-request header; in `edit`, adds or replaces that key (repeatable)'
            cand --token-param 'Extra token-request parameter; in `edit`, adds or replaces that key (repeatable)'
            cand --add-token-param 'Extra token-request parameter; in `edit`, adds or replaces that key (repeatable)'
            cand --allowed-host 'A host this app''s tokens may be sent to (repeatable; `*.example.com` allowed); in `edit`, replaces the list'
            cand --base-url 'Where `outbound curl APP /path` resolves a relative URL, e.g. https://api.github.com'
            cand --proxy 'Proxy for every request of this app (http, https, socks5)'
            cand --ca-file 'Extra CA certificates (PEM) to trust for this app'
            cand --token-body 'Token-request body for non-standard servers [default: form]'
            cand --refresh-url 'A separate URL for refresh requests (non-standard servers)'
            cand --token-field 'Where a token-response field is in the answer, e.g. access_token=authed_user.access_token (repeatable)'
            cand --token-header-name 'Header that carries the token in `outbound curl` [default: Authorization]'
            cand --token-format 'Format of that header''s value [default: "Bearer {token}"]'
            cand --config 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]'
            cand --store 'Where secrets are kept [default: `store` in the config file, else keyring]'
            cand --client-secret-stdin 'Read the client secret from standard input (never from a flag)'
            cand --no-pkce 'Turn PKCE (S256) off for servers that reject it'
            cand --pkce 'Turn PKCE (S256) back on (the default)'
            cand --trace 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
            cand --no-input 'Never prompt; fail with a clear message where input would be needed'
            cand -q 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand --quiet 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'outbound;app;presets'= {
            cand --config 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]'
            cand --store 'Where secrets are kept [default: `store` in the config file, else keyring]'
            cand --json 'Print a JSON array (stable; see the README)'
            cand --trace 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
            cand --no-input 'Never prompt; fail with a clear message where input would be needed'
            cand -q 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand --quiet 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand show 'What a preset fills in, its parameters, and what to register at the provider'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'outbound;app;presets;show'= {
            cand --config 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]'
            cand --store 'Where secrets are kept [default: `store` in the config file, else keyring]'
            cand --json 'Print a JSON object'
            cand --trace 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
            cand --no-input 'Never prompt; fail with a clear message where input would be needed'
            cand -q 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand --quiet 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'outbound;app;presets;help'= {
            cand show 'What a preset fills in, its parameters, and what to register at the provider'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'outbound;app;presets;help;show'= {
        }
        &'outbound;app;presets;help;help'= {
        }
        &'outbound;app;list'= {
            cand --config 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]'
            cand --store 'Where secrets are kept [default: `store` in the config file, else keyring]'
            cand --json 'Print a JSON array (stable; see the README)'
            cand --trace 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
            cand --no-input 'Never prompt; fail with a clear message where input would be needed'
            cand -q 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand --quiet 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'outbound;app;show'= {
            cand --config 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]'
            cand --store 'Where secrets are kept [default: `store` in the config file, else keyring]'
            cand --json 'Print a JSON object (stable; see the README)'
            cand --trace 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
            cand --no-input 'Never prompt; fail with a clear message where input would be needed'
            cand -q 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand --quiet 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'outbound;app;edit'= {
            cand --issuer 'Fill the endpoints from this issuer''s metadata (RFC 8414 / OpenID discovery)'
            cand --description 'Free text for administrators'
            cand --approval-prompt 'Text shown before the browser opens for authorization'
            cand --grant 'OAuth 2.0 grant [default: authorization_code]'
            cand --auth-url 'Authorization endpoint (its query parameters are kept)'
            cand --token-url 'Token endpoint'
            cand --revocation-url 'Revocation endpoint (RFC 7009)'
            cand --device-url 'Device authorization endpoint (RFC 8628)'
            cand --client-id 'Client identifier issued by the provider'
            cand --client-secret-env 'Read the client secret from this environment variable whenever it is needed'
            cand --client-secret-command 'Run this shell command whenever the client secret is needed (its stdout)'
            cand --client-auth 'Client authentication at the token endpoint [default: basic]'
            cand --scope 'A scope to request (repeatable; none = send no scope); in `edit`, replaces the list'
            cand --scope-delimiter 'How scopes are joined in requests [default: " "]'
            cand --expires-in 'Access-token lifetime when the server sends no expires_in (e.g. 90m, 1h)'
            cand --refresh-skew 'Refresh this long before expiry [default: 60s]'
            cand --redirect-uri 'Loopback redirect URI (no port or port 0 = any free port) [default: http://127.0.0.1/callback]'
            cand --prompt 'The OpenID Connect `prompt` parameter (e.g. consent, select_account)'
            cand --auth-param 'Extra authorization parameter; in `edit`, adds or replaces that key (repeatable)'
            cand --add-auth-param 'Extra authorization parameter; in `edit`, adds or replaces that key (repeatable)'
            cand --token-header 'Extra token-request header; in `edit`, adds or replaces that key (repeatable)'
            cand --add-token-header 'Extra token-request header; in `edit`, adds or replaces that key (repeatable)'
            cand --token-param 'Extra token-request parameter; in `edit`, adds or replaces that key (repeatable)'
            cand --add-token-param 'Extra token-request parameter; in `edit`, adds or replaces that key (repeatable)'
            cand --allowed-host 'A host this app''s tokens may be sent to (repeatable; `*.example.com` allowed); in `edit`, replaces the list'
            cand --base-url 'Where `outbound curl APP /path` resolves a relative URL, e.g. https://api.github.com'
            cand --proxy 'Proxy for every request of this app (http, https, socks5)'
            cand --ca-file 'Extra CA certificates (PEM) to trust for this app'
            cand --token-body 'Token-request body for non-standard servers [default: form]'
            cand --refresh-url 'A separate URL for refresh requests (non-standard servers)'
            cand --token-field 'Where a token-response field is in the answer, e.g. access_token=authed_user.access_token (repeatable)'
            cand --token-header-name 'Header that carries the token in `outbound curl` [default: Authorization]'
            cand --token-format 'Format of that header''s value [default: "Bearer {token}"]'
            cand --add-scope 'Add a scope, keeping the others (repeatable)'
            cand --remove-scope 'Remove a scope, keeping the others (repeatable)'
            cand --add-allowed-host 'Add an allowed host, keeping the others (repeatable)'
            cand --remove-allowed-host 'Remove an allowed host, keeping the others (repeatable)'
            cand --remove-auth-param 'Remove one authorization parameter (repeatable)'
            cand --remove-token-header 'Remove one token-request header (repeatable)'
            cand --remove-token-param 'Remove one token-request parameter (repeatable)'
            cand --unset 'Remove a setting (e.g. `prompt`, `expires_in`, `auth_params`, `auth_params.KEY`)'
            cand --config 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]'
            cand --store 'Where secrets are kept [default: `store` in the config file, else keyring]'
            cand --client-secret-stdin 'Read the client secret from standard input (never from a flag)'
            cand --no-pkce 'Turn PKCE (S256) off for servers that reject it'
            cand --pkce 'Turn PKCE (S256) back on (the default)'
            cand --trace 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
            cand --no-input 'Never prompt; fail with a clear message where input would be needed'
            cand -q 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand --quiet 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'outbound;app;enable'= {
            cand --config 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]'
            cand --store 'Where secrets are kept [default: `store` in the config file, else keyring]'
            cand --trace 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
            cand --no-input 'Never prompt; fail with a clear message where input would be needed'
            cand -q 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand --quiet 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'outbound;app;disable'= {
            cand --config 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]'
            cand --store 'Where secrets are kept [default: `store` in the config file, else keyring]'
            cand --trace 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
            cand --no-input 'Never prompt; fail with a clear message where input would be needed'
            cand -q 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand --quiet 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'outbound;app;reset'= {
            cand --config 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]'
            cand --store 'Where secrets are kept [default: `store` in the config file, else keyring]'
            cand -y 'Do not ask for confirmation'
            cand --yes 'Do not ask for confirmation'
            cand --no-revoke 'Remove this user''s tokens without revoking them at the server'
            cand --trace 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
            cand --no-input 'Never prompt; fail with a clear message where input would be needed'
            cand -q 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand --quiet 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'outbound;app;delete'= {
            cand --config 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]'
            cand --store 'Where secrets are kept [default: `store` in the config file, else keyring]'
            cand -y 'Do not ask for confirmation'
            cand --yes 'Do not ask for confirmation'
            cand --no-revoke 'Remove this user''s tokens without revoking them at the server'
            cand --trace 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
            cand --no-input 'Never prompt; fail with a clear message where input would be needed'
            cand -q 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand --quiet 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'outbound;app;secret'= {
            cand --config 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]'
            cand --store 'Where secrets are kept [default: `store` in the config file, else keyring]'
            cand --trace 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
            cand --no-input 'Never prompt; fail with a clear message where input would be needed'
            cand -q 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand --quiet 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand set 'Store a new client secret (read from standard input, or a hidden prompt)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'outbound;app;secret;set'= {
            cand --config 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]'
            cand --store 'Where secrets are kept [default: `store` in the config file, else keyring]'
            cand --trace 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
            cand --no-input 'Never prompt; fail with a clear message where input would be needed'
            cand -q 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand --quiet 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'outbound;app;secret;help'= {
            cand set 'Store a new client secret (read from standard input, or a hidden prompt)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'outbound;app;secret;help;set'= {
        }
        &'outbound;app;secret;help;help'= {
        }
        &'outbound;app;help'= {
            cand add 'Define a new application'
            cand presets 'List the provider presets, or show one'
            cand list 'List the applications in the configuration file'
            cand show 'Show one application''s settings (the client secret only as where it lives)'
            cand edit 'Change an application''s settings: only what is given changes'
            cand enable 'Allow the application''s tokens to be used and new authorizations to start'
            cand disable 'Refuse every use of the application''s tokens (nothing is deleted)'
            cand reset 'Invalidate every user''s tokens for the application (bumps its generation)'
            cand delete 'Delete the application, its stored client secret, and this user''s tokens'
            cand secret 'Manage the application''s client secret'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'outbound;app;help;add'= {
        }
        &'outbound;app;help;presets'= {
            cand show 'What a preset fills in, its parameters, and what to register at the provider'
        }
        &'outbound;app;help;presets;show'= {
        }
        &'outbound;app;help;list'= {
        }
        &'outbound;app;help;show'= {
        }
        &'outbound;app;help;edit'= {
        }
        &'outbound;app;help;enable'= {
        }
        &'outbound;app;help;disable'= {
        }
        &'outbound;app;help;reset'= {
        }
        &'outbound;app;help;delete'= {
        }
        &'outbound;app;help;secret'= {
            cand set 'Store a new client secret (read from standard input, or a hidden prompt)'
        }
        &'outbound;app;help;secret;set'= {
        }
        &'outbound;app;help;help'= {
        }
        &'outbound;authorize'= {
            cand --account 'The account to authorize [default: default]'
            cand --scope 'Scopes for this account instead of the app''s (repeatable; remembered)'
            cand --prompt 'The `prompt` parameter for this account (remembered)'
            cand --timeout 'How long to wait for the browser or the device (e.g. 90, 5m) [default: 5m]'
            cand --base-url 'This account''s base URL for `outbound curl` (remembered; before the app''s)'
            cand --config 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]'
            cand --store 'Where secrets are kept [default: `store` in the config file, else keyring]'
            cand --no-browser 'Do not open a browser; only print the URL'
            cand --manual 'Paste the redirected URL (or the code) back instead of running a listener'
            cand --device 'Use the device authorization grant (RFC 8628)'
            cand -y 'Do not ask before starting (the approval prompt is still shown)'
            cand --yes 'Do not ask before starting (the approval prompt is still shown)'
            cand --trace 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
            cand --no-input 'Never prompt; fail with a clear message where input would be needed'
            cand -q 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand --quiet 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'outbound;login'= {
            cand --account 'The account to authorize [default: default]'
            cand --scope 'Scopes for this account instead of the app''s (repeatable; remembered)'
            cand --prompt 'The `prompt` parameter for this account (remembered)'
            cand --timeout 'How long to wait for the browser or the device (e.g. 90, 5m) [default: 5m]'
            cand --base-url 'This account''s base URL for `outbound curl` (remembered; before the app''s)'
            cand --config 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]'
            cand --store 'Where secrets are kept [default: `store` in the config file, else keyring]'
            cand --no-browser 'Do not open a browser; only print the URL'
            cand --manual 'Paste the redirected URL (or the code) back instead of running a listener'
            cand --device 'Use the device authorization grant (RFC 8628)'
            cand -y 'Do not ask before starting (the approval prompt is still shown)'
            cand --yes 'Do not ask before starting (the approval prompt is still shown)'
            cand --trace 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
            cand --no-input 'Never prompt; fail with a clear message where input would be needed'
            cand -q 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand --quiet 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'outbound;status'= {
            cand --config 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]'
            cand --store 'Where secrets are kept [default: `store` in the config file, else keyring]'
            cand --json 'Print a JSON array (stable; see the README)'
            cand --check 'Exit 4 unless every application shown has a usable account (authorized, or expired with a refresh token), 5 if the one named is disabled'
            cand --trace 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
            cand --no-input 'Never prompt; fail with a clear message where input would be needed'
            cand -q 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand --quiet 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'outbound;token'= {
            cand --account 'The account [default: default]'
            cand --config 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]'
            cand --store 'Where secrets are kept [default: `store` in the config file, else keyring]'
            cand --json 'Print a JSON object with the token, its type, expiry and scopes'
            cand --force-refresh 'Refresh now even if the token is fresh (also keeps idle refresh tokens alive)'
            cand --keep-alive 'Refresh now even if the token is fresh (also keeps idle refresh tokens alive)'
            cand --trace 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
            cand --no-input 'Never prompt; fail with a clear message where input would be needed'
            cand -q 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand --quiet 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'outbound;audit'= {
            cand --limit 'Only the last N events'
            cand --config 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]'
            cand --store 'Where secrets are kept [default: `store` in the config file, else keyring]'
            cand --json 'Print JSON lines, one event each'
            cand --trace 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
            cand --no-input 'Never prompt; fail with a clear message where input would be needed'
            cand -q 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand --quiet 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'outbound;doctor'= {
            cand --config 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]'
            cand --store 'Where secrets are kept [default: `store` in the config file, else keyring]'
            cand --json 'The checks as JSON: {checks: [{check, status, detail, fix}], failures, warnings}'
            cand --trace 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
            cand --no-input 'Never prompt; fail with a clear message where input would be needed'
            cand -q 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand --quiet 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'outbound;curl'= {
            cand --account 'The account [default: default]'
            cand -X 'HTTP method'
            cand --request 'HTTP method'
            cand -H 'Extra header "Name: value" (repeatable)'
            cand --header 'Extra header "Name: value" (repeatable)'
            cand -d 'POST data; @FILE reads a file (newlines stripped), @- standard input'
            cand --data 'POST data; @FILE reads a file (newlines stripped), @- standard input'
            cand --data-raw 'POST data, with no @ interpretation'
            cand --data-binary 'POST data as is; @FILE is streamed'
            cand --data-urlencode 'POST data, URL-encoded (content, =content, name=content, @file, name@file)'
            cand --json 'JSON body (sets Content-Type and Accept to application/json)'
            cand -F 'Multipart form field name=value or name=@file (repeatable)'
            cand --form 'Multipart form field name=value or name=@file (repeatable)'
            cand -T 'Upload this file (PUT), streamed'
            cand --upload-file 'Upload this file (PUT), streamed'
            cand -o 'Write the body to this file instead of standard output'
            cand --output 'Write the body to this file instead of standard output'
            cand -D 'Write the response headers to this file (`-` for standard output)'
            cand --dump-header 'Write the response headers to this file (`-` for standard output)'
            cand -A 'The User-Agent header to send'
            cand --user-agent 'The User-Agent header to send'
            cand --cacert 'Trust the CA certificates (PEM) in this file for this call, beside the app''s'
            cand --retry 'Retry this many times on a timeout or an HTTP 408, 429, 500, 502, 503 or 504'
            cand --retry-delay 'Seconds between retries [default: Retry-After, else 1, 2, 4, … up to 10 minutes]'
            cand --max-redirs 'Most redirects to follow with -L'
            cand -m 'Most seconds the whole transfer may take'
            cand --max-time 'Most seconds the whole transfer may take'
            cand --connect-timeout 'Most seconds the connection may take'
            cand -w 'Print this after the transfer (%{http_code}, %{time_total}, %{size_download}, %{url_effective}, …)'
            cand --write-out 'Print this after the transfer (%{http_code}, %{time_total}, %{size_download}, %{url_effective}, …)'
            cand -x 'Use this proxy for this request (instead of the app''s)'
            cand --proxy 'Use this proxy for this request (instead of the app''s)'
            cand --config 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]'
            cand --store 'Where secrets are kept [default: `store` in the config file, else keyring]'
            cand -G 'Send the data as query parameters of a GET'
            cand --get 'Send the data as query parameters of a GET'
            cand -O 'Write the body to a file named like the URL''s last path segment, in this directory'
            cand --remote-name 'Write the body to a file named like the URL''s last path segment, in this directory'
            cand -i 'Include the response headers in the output'
            cand --include 'Include the response headers in the output'
            cand -I 'HEAD request; print the response headers'
            cand --head 'HEAD request; print the response headers'
            cand -s 'No error messages about the transfer'
            cand --silent 'No error messages about the transfer'
            cand -S 'With -s, still show errors'
            cand --show-error 'With -s, still show errors'
            cand -v 'Show request and response headers on stderr (the token masked)'
            cand --verbose 'Show request and response headers on stderr (the token masked)'
            cand -f 'Exit 22 on HTTP >= 400, without printing the body'
            cand --fail 'Exit 22 on HTTP >= 400, without printing the body'
            cand --fail-with-body 'Exit 22 on HTTP >= 400, printing the body'
            cand -L 'Follow redirects (the token never goes to another origin)'
            cand --location 'Follow redirects (the token never goes to another origin)'
            cand --compressed 'Ask for a compressed response and decompress it'
            cand --trace 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
            cand --no-input 'Never prompt; fail with a clear message where input would be needed'
            cand -q 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand --quiet 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'outbound;account'= {
            cand --config 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]'
            cand --store 'Where secrets are kept [default: `store` in the config file, else keyring]'
            cand --trace 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
            cand --no-input 'Never prompt; fail with a clear message where input would be needed'
            cand -q 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand --quiet 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand enable 'Let the account''s tokens be used again'
            cand disable 'Refuse every use of the account''s tokens (they are kept; exit 5 until enabled)'
            cand edit 'Change the account''s own settings'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'outbound;account;enable'= {
            cand --account 'The account [default: default]'
            cand --config 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]'
            cand --store 'Where secrets are kept [default: `store` in the config file, else keyring]'
            cand --trace 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
            cand --no-input 'Never prompt; fail with a clear message where input would be needed'
            cand -q 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand --quiet 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'outbound;account;disable'= {
            cand --account 'The account [default: default]'
            cand --config 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]'
            cand --store 'Where secrets are kept [default: `store` in the config file, else keyring]'
            cand --trace 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
            cand --no-input 'Never prompt; fail with a clear message where input would be needed'
            cand -q 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand --quiet 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'outbound;account;edit'= {
            cand --account 'The account [default: default]'
            cand --base-url 'Where `outbound curl` resolves a relative URL for this account'
            cand --unset 'Remove a setting of the account'
            cand --config 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]'
            cand --store 'Where secrets are kept [default: `store` in the config file, else keyring]'
            cand --trace 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
            cand --no-input 'Never prompt; fail with a clear message where input would be needed'
            cand -q 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand --quiet 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'outbound;account;help'= {
            cand enable 'Let the account''s tokens be used again'
            cand disable 'Refuse every use of the account''s tokens (they are kept; exit 5 until enabled)'
            cand edit 'Change the account''s own settings'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'outbound;account;help;enable'= {
        }
        &'outbound;account;help;disable'= {
        }
        &'outbound;account;help;edit'= {
        }
        &'outbound;account;help;help'= {
        }
        &'outbound;store'= {
            cand --config 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]'
            cand --store 'Where secrets are kept [default: `store` in the config file, else keyring]'
            cand --trace 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
            cand --no-input 'Never prompt; fail with a clear message where input would be needed'
            cand -q 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand --quiet 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand migrate 'Move this file''s client secrets and this user''s tokens to another store'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'outbound;store;migrate'= {
            cand --to 'The store to move to'
            cand --from 'The store to move from [default: the one in use]'
            cand --config 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]'
            cand --store 'Where secrets are kept [default: `store` in the config file, else keyring]'
            cand --trace 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
            cand --no-input 'Never prompt; fail with a clear message where input would be needed'
            cand -q 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand --quiet 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'outbound;store;help'= {
            cand migrate 'Move this file''s client secrets and this user''s tokens to another store'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'outbound;store;help;migrate'= {
        }
        &'outbound;store;help;help'= {
        }
        &'outbound;logout'= {
            cand --account 'The account [default: default]'
            cand --config 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]'
            cand --store 'Where secrets are kept [default: `store` in the config file, else keyring]'
            cand --all 'Every account of the application (or of every application)'
            cand --no-revoke 'Remove the local tokens without revoking them at the server'
            cand --trace 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
            cand --no-input 'Never prompt; fail with a clear message where input would be needed'
            cand -q 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand --quiet 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'outbound;prune'= {
            cand --config 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]'
            cand --store 'Where secrets are kept [default: `store` in the config file, else keyring]'
            cand --no-revoke 'Remove the local tokens without revoking them at the server'
            cand --trace 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
            cand --no-input 'Never prompt; fail with a clear message where input would be needed'
            cand -q 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand --quiet 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'outbound;completions'= {
            cand --config 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]'
            cand --store 'Where secrets are kept [default: `store` in the config file, else keyring]'
            cand --trace 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
            cand --no-input 'Never prompt; fail with a clear message where input would be needed'
            cand -q 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand --quiet 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'outbound;generate-docs'= {
            cand --dir 'The project root that holds completions/ and man/'
            cand --config 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]'
            cand --store 'Where secrets are kept [default: `store` in the config file, else keyring]'
            cand --check 'Fail when a file differs instead of writing it'
            cand --trace 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded'
            cand --no-input 'Never prompt; fail with a clear message where input would be needed'
            cand -q 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand --quiet 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'outbound;help'= {
            cand app 'Administer applications (add, list, show, edit, enable, disable, reset, delete)'
            cand authorize 'Authorize an application: browser and loopback, device grant, or client credentials'
            cand status 'Every application and account of this user: state, expiry, scopes, last error'
            cand token 'Print a valid access token (refreshed when needed), for $(...) in scripts'
            cand audit 'Show the audit log (enable it with `audit = true` in the configuration file)'
            cand doctor 'Check the configuration, the store, the browser, and each app''s endpoints'
            cand curl 'Make an HTTP request with the app''s token attached (curl''s flags)'
            cand account 'One account''s own settings: enable, disable, base URL'
            cand store 'This user''s secret store: move every secret to another one'
            cand logout 'Revoke an account''s tokens at the server and remove them'
            cand prune 'Remove this user''s tokens of deleted applications (orphans) and of reset ones, revoking those whose application is still defined'
            cand completions 'Print a shell completion script'
            cand generate-docs 'Regenerate (or with --check, verify) completions/ and man/'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'outbound;help;app'= {
            cand add 'Define a new application'
            cand presets 'List the provider presets, or show one'
            cand list 'List the applications in the configuration file'
            cand show 'Show one application''s settings (the client secret only as where it lives)'
            cand edit 'Change an application''s settings: only what is given changes'
            cand enable 'Allow the application''s tokens to be used and new authorizations to start'
            cand disable 'Refuse every use of the application''s tokens (nothing is deleted)'
            cand reset 'Invalidate every user''s tokens for the application (bumps its generation)'
            cand delete 'Delete the application, its stored client secret, and this user''s tokens'
            cand secret 'Manage the application''s client secret'
        }
        &'outbound;help;app;add'= {
        }
        &'outbound;help;app;presets'= {
            cand show 'What a preset fills in, its parameters, and what to register at the provider'
        }
        &'outbound;help;app;presets;show'= {
        }
        &'outbound;help;app;list'= {
        }
        &'outbound;help;app;show'= {
        }
        &'outbound;help;app;edit'= {
        }
        &'outbound;help;app;enable'= {
        }
        &'outbound;help;app;disable'= {
        }
        &'outbound;help;app;reset'= {
        }
        &'outbound;help;app;delete'= {
        }
        &'outbound;help;app;secret'= {
            cand set 'Store a new client secret (read from standard input, or a hidden prompt)'
        }
        &'outbound;help;app;secret;set'= {
        }
        &'outbound;help;authorize'= {
        }
        &'outbound;help;status'= {
        }
        &'outbound;help;token'= {
        }
        &'outbound;help;audit'= {
        }
        &'outbound;help;doctor'= {
        }
        &'outbound;help;curl'= {
        }
        &'outbound;help;account'= {
            cand enable 'Let the account''s tokens be used again'
            cand disable 'Refuse every use of the account''s tokens (they are kept; exit 5 until enabled)'
            cand edit 'Change the account''s own settings'
        }
        &'outbound;help;account;enable'= {
        }
        &'outbound;help;account;disable'= {
        }
        &'outbound;help;account;edit'= {
        }
        &'outbound;help;store'= {
            cand migrate 'Move this file''s client secrets and this user''s tokens to another store'
        }
        &'outbound;help;store;migrate'= {
        }
        &'outbound;help;logout'= {
        }
        &'outbound;help;prune'= {
        }
        &'outbound;help;completions'= {
        }
        &'outbound;help;generate-docs'= {
        }
        &'outbound;help;help'= {
        }
    ]
    $completions[$command]
}
