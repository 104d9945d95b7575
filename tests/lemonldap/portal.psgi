# LemonLDAP::NG's portal (Debian's package) as one PSGI app for plackup, with the
# static files Apache or nginx would serve beside it. The configuration comes from
# the lemonldap-ng.ini that LLNG_DEFAULTCONFFILE names (tests/it/lemonldap.rs writes
# it, and lmConf-1.json, into a temp dir).
use strict;
use warnings;
use Plack::Builder;
use Plack::App::File;
use Lemonldap::NG::Portal::Main;

builder {
    mount '/static' =>
      Plack::App::File->new( root => '/usr/share/lemonldap-ng/portal/htdocs/static' )
      ->to_app;
    mount '/javascript' =>
      Plack::App::File->new( root => '/usr/share/javascript' )->to_app;
    mount '/' => Lemonldap::NG::Portal::Main->run( {} );
};
