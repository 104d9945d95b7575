
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'outbound' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'outbound'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'outbound' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept [default: `store` in the config file, else keyring]')
            [CompletionResult]::new('--trace', '--trace', [CompletionResultType]::ParameterName, 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with a clear message where input would be needed')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('app', 'app', [CompletionResultType]::ParameterValue, 'Administer applications (add, list, show, edit, enable, disable, reset, delete)')
            [CompletionResult]::new('authorize', 'authorize', [CompletionResultType]::ParameterValue, 'Authorize an application: browser and loopback, device grant, or client credentials')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Authorize an application: browser and loopback, device grant, or client credentials')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Every application and account of this user: state, expiry, scopes, last error')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Print a valid access token (refreshed when needed), for $(...) in scripts')
            [CompletionResult]::new('audit', 'audit', [CompletionResultType]::ParameterValue, 'Show the audit log (enable it with `audit = true` in the configuration file)')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check the configuration, the store, the browser, and each app''s endpoints')
            [CompletionResult]::new('curl', 'curl', [CompletionResultType]::ParameterValue, 'Make an HTTP request with the app''s token attached (curl''s flags)')
            [CompletionResult]::new('account', 'account', [CompletionResultType]::ParameterValue, 'One account''s own settings: enable, disable, base URL')
            [CompletionResult]::new('store', 'store', [CompletionResultType]::ParameterValue, 'This user''s secret store: move every secret to another one')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Revoke an account''s tokens at the server and remove them')
            [CompletionResult]::new('prune', 'prune', [CompletionResultType]::ParameterValue, 'Remove this user''s tokens of deleted applications (orphans) and of reset ones, revoking those whose application is still defined')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('generate-docs', 'generate-docs', [CompletionResultType]::ParameterValue, 'Regenerate (or with --check, verify) completions/ and man/')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'outbound;app' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept [default: `store` in the config file, else keyring]')
            [CompletionResult]::new('--trace', '--trace', [CompletionResultType]::ParameterName, 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with a clear message where input would be needed')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Define a new application')
            [CompletionResult]::new('presets', 'presets', [CompletionResultType]::ParameterValue, 'List the provider presets, or show one')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the applications in the configuration file')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one application''s settings (the client secret only as where it lives)')
            [CompletionResult]::new('edit', 'edit', [CompletionResultType]::ParameterValue, 'Change an application''s settings: only what is given changes')
            [CompletionResult]::new('enable', 'enable', [CompletionResultType]::ParameterValue, 'Allow the application''s tokens to be used and new authorizations to start')
            [CompletionResult]::new('disable', 'disable', [CompletionResultType]::ParameterValue, 'Refuse every use of the application''s tokens (nothing is deleted)')
            [CompletionResult]::new('reset', 'reset', [CompletionResultType]::ParameterValue, 'Invalidate every user''s tokens for the application (bumps its generation)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete the application, its stored client secret, and this user''s tokens')
            [CompletionResult]::new('secret', 'secret', [CompletionResultType]::ParameterValue, 'Manage the application''s client secret')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'outbound;app;add' {
            [CompletionResult]::new('--preset', '--preset', [CompletionResultType]::ParameterName, 'Fill endpoints and provider specifics from a preset (see `outbound app presets`)')
            [CompletionResult]::new('--preset-param', '--preset-param', [CompletionResultType]::ParameterName, 'A preset parameter, e.g. domain=acme.okta.com (repeatable)')
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, 'Fill the endpoints from this issuer''s metadata (RFC 8414 / OpenID discovery)')
            [CompletionResult]::new('--description', '--description', [CompletionResultType]::ParameterName, 'Free text for administrators')
            [CompletionResult]::new('--approval-prompt', '--approval-prompt', [CompletionResultType]::ParameterName, 'Text shown before the browser opens for authorization')
            [CompletionResult]::new('--grant', '--grant', [CompletionResultType]::ParameterName, 'OAuth 2.0 grant [default: authorization_code]')
            [CompletionResult]::new('--auth-url', '--auth-url', [CompletionResultType]::ParameterName, 'Authorization endpoint (its query parameters are kept)')
            [CompletionResult]::new('--token-url', '--token-url', [CompletionResultType]::ParameterName, 'Token endpoint')
            [CompletionResult]::new('--revocation-url', '--revocation-url', [CompletionResultType]::ParameterName, 'Revocation endpoint (RFC 7009)')
            [CompletionResult]::new('--device-url', '--device-url', [CompletionResultType]::ParameterName, 'Device authorization endpoint (RFC 8628)')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'Client identifier issued by the provider')
            [CompletionResult]::new('--client-secret-env', '--client-secret-env', [CompletionResultType]::ParameterName, 'Read the client secret from this environment variable whenever it is needed')
            [CompletionResult]::new('--client-secret-command', '--client-secret-command', [CompletionResultType]::ParameterName, 'Run this shell command whenever the client secret is needed (its stdout)')
            [CompletionResult]::new('--client-auth', '--client-auth', [CompletionResultType]::ParameterName, 'Client authentication at the token endpoint [default: basic]')
            [CompletionResult]::new('--scope', '--scope', [CompletionResultType]::ParameterName, 'A scope to request (repeatable; none = send no scope); in `edit`, replaces the list')
            [CompletionResult]::new('--scope-delimiter', '--scope-delimiter', [CompletionResultType]::ParameterName, 'How scopes are joined in requests [default: " "]')
            [CompletionResult]::new('--expires-in', '--expires-in', [CompletionResultType]::ParameterName, 'Access-token lifetime when the server sends no expires_in (e.g. 90m, 1h)')
            [CompletionResult]::new('--refresh-skew', '--refresh-skew', [CompletionResultType]::ParameterName, 'Refresh this long before expiry [default: 60s]')
            [CompletionResult]::new('--redirect-uri', '--redirect-uri', [CompletionResultType]::ParameterName, 'Loopback redirect URI (no port or port 0 = any free port) [default: http://127.0.0.1/callback]')
            [CompletionResult]::new('--prompt', '--prompt', [CompletionResultType]::ParameterName, 'The OpenID Connect `prompt` parameter (e.g. consent, select_account)')
            [CompletionResult]::new('--auth-param', '--auth-param', [CompletionResultType]::ParameterName, 'Extra authorization parameter; in `edit`, adds or replaces that key (repeatable)')
            [CompletionResult]::new('--add-auth-param', '--add-auth-param', [CompletionResultType]::ParameterName, 'Extra authorization parameter; in `edit`, adds or replaces that key (repeatable)')
            [CompletionResult]::new('--token-header', '--token-header', [CompletionResultType]::ParameterName, 'Extra token-request header; in `edit`, adds or replaces that key (repeatable)')
            [CompletionResult]::new('--add-token-header', '--add-token-header', [CompletionResultType]::ParameterName, 'Extra token-request header; in `edit`, adds or replaces that key (repeatable)')
            [CompletionResult]::new('--token-param', '--token-param', [CompletionResultType]::ParameterName, 'Extra token-request parameter; in `edit`, adds or replaces that key (repeatable)')
            [CompletionResult]::new('--add-token-param', '--add-token-param', [CompletionResultType]::ParameterName, 'Extra token-request parameter; in `edit`, adds or replaces that key (repeatable)')
            [CompletionResult]::new('--allowed-host', '--allowed-host', [CompletionResultType]::ParameterName, 'A host this app''s tokens may be sent to (repeatable; `*.example.com` allowed); in `edit`, replaces the list')
            [CompletionResult]::new('--base-url', '--base-url', [CompletionResultType]::ParameterName, 'Where `outbound curl APP /path` resolves a relative URL, e.g. https://api.github.com')
            [CompletionResult]::new('--proxy', '--proxy', [CompletionResultType]::ParameterName, 'Proxy for every request of this app (http, https, socks5)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Extra CA certificates (PEM) to trust for this app')
            [CompletionResult]::new('--token-body', '--token-body', [CompletionResultType]::ParameterName, 'Token-request body for non-standard servers [default: form]')
            [CompletionResult]::new('--refresh-url', '--refresh-url', [CompletionResultType]::ParameterName, 'A separate URL for refresh requests (non-standard servers)')
            [CompletionResult]::new('--token-field', '--token-field', [CompletionResultType]::ParameterName, 'Where a token-response field is in the answer, e.g. access_token=authed_user.access_token (repeatable)')
            [CompletionResult]::new('--token-header-name', '--token-header-name', [CompletionResultType]::ParameterName, 'Header that carries the token in `outbound curl` [default: Authorization]')
            [CompletionResult]::new('--token-format', '--token-format', [CompletionResultType]::ParameterName, 'Format of that header''s value [default: "Bearer {token}"]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept [default: `store` in the config file, else keyring]')
            [CompletionResult]::new('--client-secret-stdin', '--client-secret-stdin', [CompletionResultType]::ParameterName, 'Read the client secret from standard input (never from a flag)')
            [CompletionResult]::new('--no-pkce', '--no-pkce', [CompletionResultType]::ParameterName, 'Turn PKCE (S256) off for servers that reject it')
            [CompletionResult]::new('--pkce', '--pkce', [CompletionResultType]::ParameterName, 'Turn PKCE (S256) back on (the default)')
            [CompletionResult]::new('--trace', '--trace', [CompletionResultType]::ParameterName, 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with a clear message where input would be needed')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'outbound;app;presets' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept [default: `store` in the config file, else keyring]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print a JSON array (stable; see the README)')
            [CompletionResult]::new('--trace', '--trace', [CompletionResultType]::ParameterName, 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with a clear message where input would be needed')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'What a preset fills in, its parameters, and what to register at the provider')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'outbound;app;presets;show' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept [default: `store` in the config file, else keyring]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print a JSON object')
            [CompletionResult]::new('--trace', '--trace', [CompletionResultType]::ParameterName, 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with a clear message where input would be needed')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'outbound;app;presets;help' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'What a preset fills in, its parameters, and what to register at the provider')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'outbound;app;presets;help;show' {
            break
        }
        'outbound;app;presets;help;help' {
            break
        }
        'outbound;app;list' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept [default: `store` in the config file, else keyring]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print a JSON array (stable; see the README)')
            [CompletionResult]::new('--trace', '--trace', [CompletionResultType]::ParameterName, 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with a clear message where input would be needed')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'outbound;app;show' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept [default: `store` in the config file, else keyring]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print a JSON object (stable; see the README)')
            [CompletionResult]::new('--trace', '--trace', [CompletionResultType]::ParameterName, 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with a clear message where input would be needed')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'outbound;app;edit' {
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, 'Fill the endpoints from this issuer''s metadata (RFC 8414 / OpenID discovery)')
            [CompletionResult]::new('--description', '--description', [CompletionResultType]::ParameterName, 'Free text for administrators')
            [CompletionResult]::new('--approval-prompt', '--approval-prompt', [CompletionResultType]::ParameterName, 'Text shown before the browser opens for authorization')
            [CompletionResult]::new('--grant', '--grant', [CompletionResultType]::ParameterName, 'OAuth 2.0 grant [default: authorization_code]')
            [CompletionResult]::new('--auth-url', '--auth-url', [CompletionResultType]::ParameterName, 'Authorization endpoint (its query parameters are kept)')
            [CompletionResult]::new('--token-url', '--token-url', [CompletionResultType]::ParameterName, 'Token endpoint')
            [CompletionResult]::new('--revocation-url', '--revocation-url', [CompletionResultType]::ParameterName, 'Revocation endpoint (RFC 7009)')
            [CompletionResult]::new('--device-url', '--device-url', [CompletionResultType]::ParameterName, 'Device authorization endpoint (RFC 8628)')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'Client identifier issued by the provider')
            [CompletionResult]::new('--client-secret-env', '--client-secret-env', [CompletionResultType]::ParameterName, 'Read the client secret from this environment variable whenever it is needed')
            [CompletionResult]::new('--client-secret-command', '--client-secret-command', [CompletionResultType]::ParameterName, 'Run this shell command whenever the client secret is needed (its stdout)')
            [CompletionResult]::new('--client-auth', '--client-auth', [CompletionResultType]::ParameterName, 'Client authentication at the token endpoint [default: basic]')
            [CompletionResult]::new('--scope', '--scope', [CompletionResultType]::ParameterName, 'A scope to request (repeatable; none = send no scope); in `edit`, replaces the list')
            [CompletionResult]::new('--scope-delimiter', '--scope-delimiter', [CompletionResultType]::ParameterName, 'How scopes are joined in requests [default: " "]')
            [CompletionResult]::new('--expires-in', '--expires-in', [CompletionResultType]::ParameterName, 'Access-token lifetime when the server sends no expires_in (e.g. 90m, 1h)')
            [CompletionResult]::new('--refresh-skew', '--refresh-skew', [CompletionResultType]::ParameterName, 'Refresh this long before expiry [default: 60s]')
            [CompletionResult]::new('--redirect-uri', '--redirect-uri', [CompletionResultType]::ParameterName, 'Loopback redirect URI (no port or port 0 = any free port) [default: http://127.0.0.1/callback]')
            [CompletionResult]::new('--prompt', '--prompt', [CompletionResultType]::ParameterName, 'The OpenID Connect `prompt` parameter (e.g. consent, select_account)')
            [CompletionResult]::new('--auth-param', '--auth-param', [CompletionResultType]::ParameterName, 'Extra authorization parameter; in `edit`, adds or replaces that key (repeatable)')
            [CompletionResult]::new('--add-auth-param', '--add-auth-param', [CompletionResultType]::ParameterName, 'Extra authorization parameter; in `edit`, adds or replaces that key (repeatable)')
            [CompletionResult]::new('--token-header', '--token-header', [CompletionResultType]::ParameterName, 'Extra token-request header; in `edit`, adds or replaces that key (repeatable)')
            [CompletionResult]::new('--add-token-header', '--add-token-header', [CompletionResultType]::ParameterName, 'Extra token-request header; in `edit`, adds or replaces that key (repeatable)')
            [CompletionResult]::new('--token-param', '--token-param', [CompletionResultType]::ParameterName, 'Extra token-request parameter; in `edit`, adds or replaces that key (repeatable)')
            [CompletionResult]::new('--add-token-param', '--add-token-param', [CompletionResultType]::ParameterName, 'Extra token-request parameter; in `edit`, adds or replaces that key (repeatable)')
            [CompletionResult]::new('--allowed-host', '--allowed-host', [CompletionResultType]::ParameterName, 'A host this app''s tokens may be sent to (repeatable; `*.example.com` allowed); in `edit`, replaces the list')
            [CompletionResult]::new('--base-url', '--base-url', [CompletionResultType]::ParameterName, 'Where `outbound curl APP /path` resolves a relative URL, e.g. https://api.github.com')
            [CompletionResult]::new('--proxy', '--proxy', [CompletionResultType]::ParameterName, 'Proxy for every request of this app (http, https, socks5)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Extra CA certificates (PEM) to trust for this app')
            [CompletionResult]::new('--token-body', '--token-body', [CompletionResultType]::ParameterName, 'Token-request body for non-standard servers [default: form]')
            [CompletionResult]::new('--refresh-url', '--refresh-url', [CompletionResultType]::ParameterName, 'A separate URL for refresh requests (non-standard servers)')
            [CompletionResult]::new('--token-field', '--token-field', [CompletionResultType]::ParameterName, 'Where a token-response field is in the answer, e.g. access_token=authed_user.access_token (repeatable)')
            [CompletionResult]::new('--token-header-name', '--token-header-name', [CompletionResultType]::ParameterName, 'Header that carries the token in `outbound curl` [default: Authorization]')
            [CompletionResult]::new('--token-format', '--token-format', [CompletionResultType]::ParameterName, 'Format of that header''s value [default: "Bearer {token}"]')
            [CompletionResult]::new('--add-scope', '--add-scope', [CompletionResultType]::ParameterName, 'Add a scope, keeping the others (repeatable)')
            [CompletionResult]::new('--remove-scope', '--remove-scope', [CompletionResultType]::ParameterName, 'Remove a scope, keeping the others (repeatable)')
            [CompletionResult]::new('--add-allowed-host', '--add-allowed-host', [CompletionResultType]::ParameterName, 'Add an allowed host, keeping the others (repeatable)')
            [CompletionResult]::new('--remove-allowed-host', '--remove-allowed-host', [CompletionResultType]::ParameterName, 'Remove an allowed host, keeping the others (repeatable)')
            [CompletionResult]::new('--remove-auth-param', '--remove-auth-param', [CompletionResultType]::ParameterName, 'Remove one authorization parameter (repeatable)')
            [CompletionResult]::new('--remove-token-header', '--remove-token-header', [CompletionResultType]::ParameterName, 'Remove one token-request header (repeatable)')
            [CompletionResult]::new('--remove-token-param', '--remove-token-param', [CompletionResultType]::ParameterName, 'Remove one token-request parameter (repeatable)')
            [CompletionResult]::new('--unset', '--unset', [CompletionResultType]::ParameterName, 'Remove a setting (e.g. `prompt`, `expires_in`, `auth_params`, `auth_params.KEY`)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept [default: `store` in the config file, else keyring]')
            [CompletionResult]::new('--client-secret-stdin', '--client-secret-stdin', [CompletionResultType]::ParameterName, 'Read the client secret from standard input (never from a flag)')
            [CompletionResult]::new('--no-pkce', '--no-pkce', [CompletionResultType]::ParameterName, 'Turn PKCE (S256) off for servers that reject it')
            [CompletionResult]::new('--pkce', '--pkce', [CompletionResultType]::ParameterName, 'Turn PKCE (S256) back on (the default)')
            [CompletionResult]::new('--trace', '--trace', [CompletionResultType]::ParameterName, 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with a clear message where input would be needed')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'outbound;app;enable' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept [default: `store` in the config file, else keyring]')
            [CompletionResult]::new('--trace', '--trace', [CompletionResultType]::ParameterName, 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with a clear message where input would be needed')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'outbound;app;disable' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept [default: `store` in the config file, else keyring]')
            [CompletionResult]::new('--trace', '--trace', [CompletionResultType]::ParameterName, 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with a clear message where input would be needed')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'outbound;app;reset' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept [default: `store` in the config file, else keyring]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--no-revoke', '--no-revoke', [CompletionResultType]::ParameterName, 'Remove this user''s tokens without revoking them at the server')
            [CompletionResult]::new('--trace', '--trace', [CompletionResultType]::ParameterName, 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with a clear message where input would be needed')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'outbound;app;delete' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept [default: `store` in the config file, else keyring]')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--no-revoke', '--no-revoke', [CompletionResultType]::ParameterName, 'Remove this user''s tokens without revoking them at the server')
            [CompletionResult]::new('--trace', '--trace', [CompletionResultType]::ParameterName, 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with a clear message where input would be needed')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'outbound;app;secret' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept [default: `store` in the config file, else keyring]')
            [CompletionResult]::new('--trace', '--trace', [CompletionResultType]::ParameterName, 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with a clear message where input would be needed')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Store a new client secret (read from standard input, or a hidden prompt)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'outbound;app;secret;set' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept [default: `store` in the config file, else keyring]')
            [CompletionResult]::new('--trace', '--trace', [CompletionResultType]::ParameterName, 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with a clear message where input would be needed')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'outbound;app;secret;help' {
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Store a new client secret (read from standard input, or a hidden prompt)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'outbound;app;secret;help;set' {
            break
        }
        'outbound;app;secret;help;help' {
            break
        }
        'outbound;app;help' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Define a new application')
            [CompletionResult]::new('presets', 'presets', [CompletionResultType]::ParameterValue, 'List the provider presets, or show one')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the applications in the configuration file')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one application''s settings (the client secret only as where it lives)')
            [CompletionResult]::new('edit', 'edit', [CompletionResultType]::ParameterValue, 'Change an application''s settings: only what is given changes')
            [CompletionResult]::new('enable', 'enable', [CompletionResultType]::ParameterValue, 'Allow the application''s tokens to be used and new authorizations to start')
            [CompletionResult]::new('disable', 'disable', [CompletionResultType]::ParameterValue, 'Refuse every use of the application''s tokens (nothing is deleted)')
            [CompletionResult]::new('reset', 'reset', [CompletionResultType]::ParameterValue, 'Invalidate every user''s tokens for the application (bumps its generation)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete the application, its stored client secret, and this user''s tokens')
            [CompletionResult]::new('secret', 'secret', [CompletionResultType]::ParameterValue, 'Manage the application''s client secret')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'outbound;app;help;add' {
            break
        }
        'outbound;app;help;presets' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'What a preset fills in, its parameters, and what to register at the provider')
            break
        }
        'outbound;app;help;presets;show' {
            break
        }
        'outbound;app;help;list' {
            break
        }
        'outbound;app;help;show' {
            break
        }
        'outbound;app;help;edit' {
            break
        }
        'outbound;app;help;enable' {
            break
        }
        'outbound;app;help;disable' {
            break
        }
        'outbound;app;help;reset' {
            break
        }
        'outbound;app;help;delete' {
            break
        }
        'outbound;app;help;secret' {
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Store a new client secret (read from standard input, or a hidden prompt)')
            break
        }
        'outbound;app;help;secret;set' {
            break
        }
        'outbound;app;help;help' {
            break
        }
        'outbound;authorize' {
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'The account to authorize [default: default]')
            [CompletionResult]::new('--scope', '--scope', [CompletionResultType]::ParameterName, 'Scopes for this account instead of the app''s (repeatable; remembered)')
            [CompletionResult]::new('--prompt', '--prompt', [CompletionResultType]::ParameterName, 'The `prompt` parameter for this account (remembered)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for the browser or the device (e.g. 90, 5m) [default: 5m]')
            [CompletionResult]::new('--base-url', '--base-url', [CompletionResultType]::ParameterName, 'This account''s base URL for `outbound curl` (remembered; before the app''s)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept [default: `store` in the config file, else keyring]')
            [CompletionResult]::new('--no-browser', '--no-browser', [CompletionResultType]::ParameterName, 'Do not open a browser; only print the URL')
            [CompletionResult]::new('--manual', '--manual', [CompletionResultType]::ParameterName, 'Paste the redirected URL (or the code) back instead of running a listener')
            [CompletionResult]::new('--device', '--device', [CompletionResultType]::ParameterName, 'Use the device authorization grant (RFC 8628)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask before starting (the approval prompt is still shown)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask before starting (the approval prompt is still shown)')
            [CompletionResult]::new('--trace', '--trace', [CompletionResultType]::ParameterName, 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with a clear message where input would be needed')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'outbound;login' {
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'The account to authorize [default: default]')
            [CompletionResult]::new('--scope', '--scope', [CompletionResultType]::ParameterName, 'Scopes for this account instead of the app''s (repeatable; remembered)')
            [CompletionResult]::new('--prompt', '--prompt', [CompletionResultType]::ParameterName, 'The `prompt` parameter for this account (remembered)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for the browser or the device (e.g. 90, 5m) [default: 5m]')
            [CompletionResult]::new('--base-url', '--base-url', [CompletionResultType]::ParameterName, 'This account''s base URL for `outbound curl` (remembered; before the app''s)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept [default: `store` in the config file, else keyring]')
            [CompletionResult]::new('--no-browser', '--no-browser', [CompletionResultType]::ParameterName, 'Do not open a browser; only print the URL')
            [CompletionResult]::new('--manual', '--manual', [CompletionResultType]::ParameterName, 'Paste the redirected URL (or the code) back instead of running a listener')
            [CompletionResult]::new('--device', '--device', [CompletionResultType]::ParameterName, 'Use the device authorization grant (RFC 8628)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask before starting (the approval prompt is still shown)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask before starting (the approval prompt is still shown)')
            [CompletionResult]::new('--trace', '--trace', [CompletionResultType]::ParameterName, 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with a clear message where input would be needed')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'outbound;status' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept [default: `store` in the config file, else keyring]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print a JSON array (stable; see the README)')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Exit 4 unless every application shown has a usable account (authorized, or expired with a refresh token), 5 if the one named is disabled')
            [CompletionResult]::new('--trace', '--trace', [CompletionResultType]::ParameterName, 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with a clear message where input would be needed')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'outbound;token' {
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'The account [default: default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept [default: `store` in the config file, else keyring]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print a JSON object with the token, its type, expiry and scopes')
            [CompletionResult]::new('--force-refresh', '--force-refresh', [CompletionResultType]::ParameterName, 'Refresh now even if the token is fresh (also keeps idle refresh tokens alive)')
            [CompletionResult]::new('--keep-alive', '--keep-alive', [CompletionResultType]::ParameterName, 'Refresh now even if the token is fresh (also keeps idle refresh tokens alive)')
            [CompletionResult]::new('--trace', '--trace', [CompletionResultType]::ParameterName, 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with a clear message where input would be needed')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'outbound;audit' {
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Only the last N events')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept [default: `store` in the config file, else keyring]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON lines, one event each')
            [CompletionResult]::new('--trace', '--trace', [CompletionResultType]::ParameterName, 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with a clear message where input would be needed')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'outbound;doctor' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept [default: `store` in the config file, else keyring]')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'The checks as JSON: {checks: [{check, status, detail, fix}], failures, warnings}')
            [CompletionResult]::new('--trace', '--trace', [CompletionResultType]::ParameterName, 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with a clear message where input would be needed')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'outbound;curl' {
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'The account [default: default]')
            [CompletionResult]::new('-X', '-X ', [CompletionResultType]::ParameterName, 'HTTP method')
            [CompletionResult]::new('--request', '--request', [CompletionResultType]::ParameterName, 'HTTP method')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra header "Name: value" (repeatable)')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra header "Name: value" (repeatable)')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'POST data; @FILE reads a file (newlines stripped), @- standard input')
            [CompletionResult]::new('--data', '--data', [CompletionResultType]::ParameterName, 'POST data; @FILE reads a file (newlines stripped), @- standard input')
            [CompletionResult]::new('--data-raw', '--data-raw', [CompletionResultType]::ParameterName, 'POST data, with no @ interpretation')
            [CompletionResult]::new('--data-binary', '--data-binary', [CompletionResultType]::ParameterName, 'POST data as is; @FILE is streamed')
            [CompletionResult]::new('--data-urlencode', '--data-urlencode', [CompletionResultType]::ParameterName, 'POST data, URL-encoded (content, =content, name=content, @file, name@file)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'JSON body (sets Content-Type and Accept to application/json)')
            [CompletionResult]::new('-F', '-F ', [CompletionResultType]::ParameterName, 'Multipart form field name=value or name=@file (repeatable)')
            [CompletionResult]::new('--form', '--form', [CompletionResultType]::ParameterName, 'Multipart form field name=value or name=@file (repeatable)')
            [CompletionResult]::new('-T', '-T ', [CompletionResultType]::ParameterName, 'Upload this file (PUT), streamed')
            [CompletionResult]::new('--upload-file', '--upload-file', [CompletionResultType]::ParameterName, 'Upload this file (PUT), streamed')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the body to this file instead of standard output')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the body to this file instead of standard output')
            [CompletionResult]::new('-D', '-D ', [CompletionResultType]::ParameterName, 'Write the response headers to this file (`-` for standard output)')
            [CompletionResult]::new('--dump-header', '--dump-header', [CompletionResultType]::ParameterName, 'Write the response headers to this file (`-` for standard output)')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'The User-Agent header to send')
            [CompletionResult]::new('--user-agent', '--user-agent', [CompletionResultType]::ParameterName, 'The User-Agent header to send')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Trust the CA certificates (PEM) in this file for this call, beside the app''s')
            [CompletionResult]::new('--retry', '--retry', [CompletionResultType]::ParameterName, 'Retry this many times on a timeout or an HTTP 408, 429, 500, 502, 503 or 504')
            [CompletionResult]::new('--retry-delay', '--retry-delay', [CompletionResultType]::ParameterName, 'Seconds between retries [default: Retry-After, else 1, 2, 4, … up to 10 minutes]')
            [CompletionResult]::new('--max-redirs', '--max-redirs', [CompletionResultType]::ParameterName, 'Most redirects to follow with -L')
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'Most seconds the whole transfer may take')
            [CompletionResult]::new('--max-time', '--max-time', [CompletionResultType]::ParameterName, 'Most seconds the whole transfer may take')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Most seconds the connection may take')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Print this after the transfer (%{http_code}, %{time_total}, %{size_download}, %{url_effective}, …)')
            [CompletionResult]::new('--write-out', '--write-out', [CompletionResultType]::ParameterName, 'Print this after the transfer (%{http_code}, %{time_total}, %{size_download}, %{url_effective}, …)')
            [CompletionResult]::new('-x', '-x', [CompletionResultType]::ParameterName, 'Use this proxy for this request (instead of the app''s)')
            [CompletionResult]::new('--proxy', '--proxy', [CompletionResultType]::ParameterName, 'Use this proxy for this request (instead of the app''s)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept [default: `store` in the config file, else keyring]')
            [CompletionResult]::new('-G', '-G ', [CompletionResultType]::ParameterName, 'Send the data as query parameters of a GET')
            [CompletionResult]::new('--get', '--get', [CompletionResultType]::ParameterName, 'Send the data as query parameters of a GET')
            [CompletionResult]::new('-O', '-O ', [CompletionResultType]::ParameterName, 'Write the body to a file named like the URL''s last path segment, in this directory')
            [CompletionResult]::new('--remote-name', '--remote-name', [CompletionResultType]::ParameterName, 'Write the body to a file named like the URL''s last path segment, in this directory')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Include the response headers in the output')
            [CompletionResult]::new('--include', '--include', [CompletionResultType]::ParameterName, 'Include the response headers in the output')
            [CompletionResult]::new('-I', '-I ', [CompletionResultType]::ParameterName, 'HEAD request; print the response headers')
            [CompletionResult]::new('--head', '--head', [CompletionResultType]::ParameterName, 'HEAD request; print the response headers')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'No error messages about the transfer')
            [CompletionResult]::new('--silent', '--silent', [CompletionResultType]::ParameterName, 'No error messages about the transfer')
            [CompletionResult]::new('-S', '-S ', [CompletionResultType]::ParameterName, 'With -s, still show errors')
            [CompletionResult]::new('--show-error', '--show-error', [CompletionResultType]::ParameterName, 'With -s, still show errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show request and response headers on stderr (the token masked)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show request and response headers on stderr (the token masked)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Exit 22 on HTTP >= 400, without printing the body')
            [CompletionResult]::new('--fail', '--fail', [CompletionResultType]::ParameterName, 'Exit 22 on HTTP >= 400, without printing the body')
            [CompletionResult]::new('--fail-with-body', '--fail-with-body', [CompletionResultType]::ParameterName, 'Exit 22 on HTTP >= 400, printing the body')
            [CompletionResult]::new('-L', '-L ', [CompletionResultType]::ParameterName, 'Follow redirects (the token never goes to another origin)')
            [CompletionResult]::new('--location', '--location', [CompletionResultType]::ParameterName, 'Follow redirects (the token never goes to another origin)')
            [CompletionResult]::new('--compressed', '--compressed', [CompletionResultType]::ParameterName, 'Ask for a compressed response and decompress it')
            [CompletionResult]::new('--trace', '--trace', [CompletionResultType]::ParameterName, 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with a clear message where input would be needed')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'outbound;account' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept [default: `store` in the config file, else keyring]')
            [CompletionResult]::new('--trace', '--trace', [CompletionResultType]::ParameterName, 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with a clear message where input would be needed')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('enable', 'enable', [CompletionResultType]::ParameterValue, 'Let the account''s tokens be used again')
            [CompletionResult]::new('disable', 'disable', [CompletionResultType]::ParameterValue, 'Refuse every use of the account''s tokens (they are kept; exit 5 until enabled)')
            [CompletionResult]::new('edit', 'edit', [CompletionResultType]::ParameterValue, 'Change the account''s own settings')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'outbound;account;enable' {
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'The account [default: default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept [default: `store` in the config file, else keyring]')
            [CompletionResult]::new('--trace', '--trace', [CompletionResultType]::ParameterName, 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with a clear message where input would be needed')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'outbound;account;disable' {
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'The account [default: default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept [default: `store` in the config file, else keyring]')
            [CompletionResult]::new('--trace', '--trace', [CompletionResultType]::ParameterName, 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with a clear message where input would be needed')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'outbound;account;edit' {
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'The account [default: default]')
            [CompletionResult]::new('--base-url', '--base-url', [CompletionResultType]::ParameterName, 'Where `outbound curl` resolves a relative URL for this account')
            [CompletionResult]::new('--unset', '--unset', [CompletionResultType]::ParameterName, 'Remove a setting of the account')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept [default: `store` in the config file, else keyring]')
            [CompletionResult]::new('--trace', '--trace', [CompletionResultType]::ParameterName, 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with a clear message where input would be needed')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'outbound;account;help' {
            [CompletionResult]::new('enable', 'enable', [CompletionResultType]::ParameterValue, 'Let the account''s tokens be used again')
            [CompletionResult]::new('disable', 'disable', [CompletionResultType]::ParameterValue, 'Refuse every use of the account''s tokens (they are kept; exit 5 until enabled)')
            [CompletionResult]::new('edit', 'edit', [CompletionResultType]::ParameterValue, 'Change the account''s own settings')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'outbound;account;help;enable' {
            break
        }
        'outbound;account;help;disable' {
            break
        }
        'outbound;account;help;edit' {
            break
        }
        'outbound;account;help;help' {
            break
        }
        'outbound;store' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept [default: `store` in the config file, else keyring]')
            [CompletionResult]::new('--trace', '--trace', [CompletionResultType]::ParameterName, 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with a clear message where input would be needed')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('migrate', 'migrate', [CompletionResultType]::ParameterValue, 'Move this file''s client secrets and this user''s tokens to another store')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'outbound;store;migrate' {
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'The store to move to')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'The store to move from [default: the one in use]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept [default: `store` in the config file, else keyring]')
            [CompletionResult]::new('--trace', '--trace', [CompletionResultType]::ParameterName, 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with a clear message where input would be needed')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'outbound;store;help' {
            [CompletionResult]::new('migrate', 'migrate', [CompletionResultType]::ParameterValue, 'Move this file''s client secrets and this user''s tokens to another store')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'outbound;store;help;migrate' {
            break
        }
        'outbound;store;help;help' {
            break
        }
        'outbound;logout' {
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'The account [default: default]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept [default: `store` in the config file, else keyring]')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Every account of the application (or of every application)')
            [CompletionResult]::new('--no-revoke', '--no-revoke', [CompletionResultType]::ParameterName, 'Remove the local tokens without revoking them at the server')
            [CompletionResult]::new('--trace', '--trace', [CompletionResultType]::ParameterName, 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with a clear message where input would be needed')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'outbound;prune' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept [default: `store` in the config file, else keyring]')
            [CompletionResult]::new('--no-revoke', '--no-revoke', [CompletionResultType]::ParameterName, 'Remove the local tokens without revoking them at the server')
            [CompletionResult]::new('--trace', '--trace', [CompletionResultType]::ParameterName, 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with a clear message where input would be needed')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'outbound;completions' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept [default: `store` in the config file, else keyring]')
            [CompletionResult]::new('--trace', '--trace', [CompletionResultType]::ParameterName, 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with a clear message where input would be needed')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'outbound;generate-docs' {
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'The project root that holds completions/ and man/')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The configuration file [default: $XDG_CONFIG_HOME/outbound/apps.toml]')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Where secrets are kept [default: `store` in the config file, else keyring]')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Fail when a file differs instead of writing it')
            [CompletionResult]::new('--trace', '--trace', [CompletionResultType]::ParameterName, 'Print every OAuth request and answer on stderr, secrets masked, JWTs decoded')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail with a clear message where input would be needed')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No notices on stderr (progress, confirmations); data, warnings, errors and what you must act on (an authorization URL, a device code) still show')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'outbound;help' {
            [CompletionResult]::new('app', 'app', [CompletionResultType]::ParameterValue, 'Administer applications (add, list, show, edit, enable, disable, reset, delete)')
            [CompletionResult]::new('authorize', 'authorize', [CompletionResultType]::ParameterValue, 'Authorize an application: browser and loopback, device grant, or client credentials')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Every application and account of this user: state, expiry, scopes, last error')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Print a valid access token (refreshed when needed), for $(...) in scripts')
            [CompletionResult]::new('audit', 'audit', [CompletionResultType]::ParameterValue, 'Show the audit log (enable it with `audit = true` in the configuration file)')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check the configuration, the store, the browser, and each app''s endpoints')
            [CompletionResult]::new('curl', 'curl', [CompletionResultType]::ParameterValue, 'Make an HTTP request with the app''s token attached (curl''s flags)')
            [CompletionResult]::new('account', 'account', [CompletionResultType]::ParameterValue, 'One account''s own settings: enable, disable, base URL')
            [CompletionResult]::new('store', 'store', [CompletionResultType]::ParameterValue, 'This user''s secret store: move every secret to another one')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Revoke an account''s tokens at the server and remove them')
            [CompletionResult]::new('prune', 'prune', [CompletionResultType]::ParameterValue, 'Remove this user''s tokens of deleted applications (orphans) and of reset ones, revoking those whose application is still defined')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('generate-docs', 'generate-docs', [CompletionResultType]::ParameterValue, 'Regenerate (or with --check, verify) completions/ and man/')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'outbound;help;app' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Define a new application')
            [CompletionResult]::new('presets', 'presets', [CompletionResultType]::ParameterValue, 'List the provider presets, or show one')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the applications in the configuration file')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one application''s settings (the client secret only as where it lives)')
            [CompletionResult]::new('edit', 'edit', [CompletionResultType]::ParameterValue, 'Change an application''s settings: only what is given changes')
            [CompletionResult]::new('enable', 'enable', [CompletionResultType]::ParameterValue, 'Allow the application''s tokens to be used and new authorizations to start')
            [CompletionResult]::new('disable', 'disable', [CompletionResultType]::ParameterValue, 'Refuse every use of the application''s tokens (nothing is deleted)')
            [CompletionResult]::new('reset', 'reset', [CompletionResultType]::ParameterValue, 'Invalidate every user''s tokens for the application (bumps its generation)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete the application, its stored client secret, and this user''s tokens')
            [CompletionResult]::new('secret', 'secret', [CompletionResultType]::ParameterValue, 'Manage the application''s client secret')
            break
        }
        'outbound;help;app;add' {
            break
        }
        'outbound;help;app;presets' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'What a preset fills in, its parameters, and what to register at the provider')
            break
        }
        'outbound;help;app;presets;show' {
            break
        }
        'outbound;help;app;list' {
            break
        }
        'outbound;help;app;show' {
            break
        }
        'outbound;help;app;edit' {
            break
        }
        'outbound;help;app;enable' {
            break
        }
        'outbound;help;app;disable' {
            break
        }
        'outbound;help;app;reset' {
            break
        }
        'outbound;help;app;delete' {
            break
        }
        'outbound;help;app;secret' {
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Store a new client secret (read from standard input, or a hidden prompt)')
            break
        }
        'outbound;help;app;secret;set' {
            break
        }
        'outbound;help;authorize' {
            break
        }
        'outbound;help;status' {
            break
        }
        'outbound;help;token' {
            break
        }
        'outbound;help;audit' {
            break
        }
        'outbound;help;doctor' {
            break
        }
        'outbound;help;curl' {
            break
        }
        'outbound;help;account' {
            [CompletionResult]::new('enable', 'enable', [CompletionResultType]::ParameterValue, 'Let the account''s tokens be used again')
            [CompletionResult]::new('disable', 'disable', [CompletionResultType]::ParameterValue, 'Refuse every use of the account''s tokens (they are kept; exit 5 until enabled)')
            [CompletionResult]::new('edit', 'edit', [CompletionResultType]::ParameterValue, 'Change the account''s own settings')
            break
        }
        'outbound;help;account;enable' {
            break
        }
        'outbound;help;account;disable' {
            break
        }
        'outbound;help;account;edit' {
            break
        }
        'outbound;help;store' {
            [CompletionResult]::new('migrate', 'migrate', [CompletionResultType]::ParameterValue, 'Move this file''s client secrets and this user''s tokens to another store')
            break
        }
        'outbound;help;store;migrate' {
            break
        }
        'outbound;help;logout' {
            break
        }
        'outbound;help;prune' {
            break
        }
        'outbound;help;completions' {
            break
        }
        'outbound;help;generate-docs' {
            break
        }
        'outbound;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
