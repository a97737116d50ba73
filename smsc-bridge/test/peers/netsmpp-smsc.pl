#!/usr/bin/perl
# An SMSC built on Debian's Net::SMPP (libnet-smpp-perl), which shares no
# code with the npm `smpp` package: the bridge's interop peer. It listens on
# 127.0.0.1 and a port the OS picks (printed as "PORT <n>"), serves one
# client connection at a time, and reports what it sees on stdout, one
# event per line:
#
#   BIND <command> <system_id> <interface_version>
#   SUBMIT <seq> <id> <source_addr> <ton>/<npi> <destination_addr> <ton>/<npi> <data_coding> <esm_class> <registered_delivery> <short_message hex>
#   DELIVER_RESP <seq> <status>
#   UNBIND
#
# Commands on stdin, one per line:
#
#   MO <data_coding> <esm_class> <short_message hex> [source_addr] [destination_addr]
#   QUIT
#
# Every accepted submit_sm gets a hex message id; when it asks for a
# receipt, a deliver_sm receipt follows with receipted_message_id (with its
# NUL), message_state DELIVERED and the appendix B text.
#
# Usage: perl netsmpp-smsc.pl <system_id> <password>

use strict;
use warnings;
use IO::Select;
use Net::SMPP;

$| = 1;
my ($system_id, $password) = @ARGV;
$system_id //= 'bridge';
$password //= 'secret';

my $listen = Net::SMPP->new_listen('127.0.0.1', port => 0, async => 1, smpp_version => 0x34)
  or die "cannot listen: $!";
print "PORT ", $listen->sockport, "\n";

my $next_id = 0x5A0000;
my $client;
my $stdin = '';
my $sel = IO::Select->new($listen, \*STDIN);

sub hex_of { return unpack('H*', $_[0] // '') }

sub receipt_date {
  my @t = gmtime();
  return sprintf('%02d%02d%02d%02d%02d', $t[5] % 100, $t[4] + 1, $t[3], $t[2], $t[1]);
}

sub send_mo {
  my ($dc, $esm, $hex, $src, $dst) = @_;
  return print "ERROR no client\n" unless $client;
  my $seq = $client->deliver_sm(
    source_addr_ton => 1, source_addr_npi => 1, source_addr => $src // '15557654321',
    dest_addr_ton => 1, dest_addr_npi => 1, destination_addr => $dst // '15551230001',
    esm_class => $esm, data_coding => $dc, short_message => pack('H*', $hex),
    async => 1,
  );
  print "MO_SENT $seq\n";
}

sub on_pdu {
  my ($pdu) = @_;
  my $cmd = $pdu->{cmd};
  if ($cmd == 0x00000001 || $cmd == 0x00000002 || $cmd == 0x00000009) {
    my %name = (1 => 'bind_receiver', 2 => 'bind_transmitter', 9 => 'bind_transceiver');
    my $ok = $pdu->{system_id} eq $system_id && $pdu->{password} eq $password;
    my $status = $ok ? 0 : ($pdu->{system_id} eq $system_id ? 0x0E : 0x0F);
    my %resp = (1 => 'bind_receiver_resp', 2 => 'bind_transmitter_resp', 9 => 'bind_transceiver_resp');
    my $method = $resp{$cmd};
    $client->$method(seq => $pdu->{seq}, status => $status, system_id => 'NETSMPP');
    printf "BIND %s %s 0x%02x\n", $name{$cmd}, $pdu->{system_id}, $pdu->{interface_version};
  } elsif ($cmd == 0x00000004) {
    my $id = sprintf('%X', $next_id++);
    $client->submit_sm_resp(seq => $pdu->{seq}, message_id => $id);
    printf "SUBMIT %d %s %s %d/%d %s %d/%d %d %d %d %s\n", $pdu->{seq}, $id,
      $pdu->{source_addr}, $pdu->{source_addr_ton}, $pdu->{source_addr_npi},
      $pdu->{destination_addr}, $pdu->{dest_addr_ton}, $pdu->{dest_addr_npi},
      $pdu->{data_coding}, $pdu->{esm_class}, $pdu->{registered_delivery}, hex_of($pdu->{short_message});
    if (($pdu->{registered_delivery} & 0x03) != 0) {
      my $d = receipt_date();
      my $text = "id:$id sub:001 dlvrd:001 submit date:$d done date:$d stat:DELIVRD err:000 text:";
      $client->deliver_sm(
        source_addr_ton => $pdu->{dest_addr_ton}, source_addr_npi => $pdu->{dest_addr_npi},
        source_addr => $pdu->{destination_addr},
        dest_addr_ton => $pdu->{source_addr_ton}, dest_addr_npi => $pdu->{source_addr_npi},
        destination_addr => $pdu->{source_addr},
        esm_class => 0x04, data_coding => 0, short_message => $text,
        receipted_message_id => "$id\0", message_state => pack('C', 2),
        async => 1,
      );
    }
  } elsif ($cmd == 0x00000015) {
    $client->enquire_link_resp(seq => $pdu->{seq});
  } elsif ($cmd == 0x00000006) {
    $client->unbind_resp(seq => $pdu->{seq});
    print "UNBIND\n";
    drop_client();
  } elsif ($cmd == 0x80000005) {
    printf "DELIVER_RESP %d %d\n", $pdu->{seq}, $pdu->{status};
  } elsif ($cmd & 0x80000000) {
    # other responses need nothing
  } else {
    $client->generic_nack(seq => $pdu->{seq}, status => 0x03);
  }
}

sub drop_client {
  return unless $client;
  $sel->remove($client);
  close($client);
  undef $client;
}

while (1) {
  for my $fh ($sel->can_read(5)) {
    if ($fh == $listen) {
      my $c = $listen->accept or next;
      drop_client();
      $client = $c;
      $sel->add($client);
    } elsif ($fh == \*STDIN) {
      # sysread, not <STDIN>: buffered lines would hide from select
      my $n = sysread(STDIN, my $chunk, 4096);
      exit 0 if !$n;
      $stdin .= $chunk;
      while ($stdin =~ s/^([^\n]*)\n//) {
        my @w = split ' ', $1;
        next unless @w;
        exit 0 if $w[0] eq 'QUIT';
        if ($w[0] eq 'MO') { send_mo(@w[1 .. $#w]) }
        else { print "ERROR unknown command $w[0]\n" }
      }
    } else {
      my $pdu = $client->read_pdu();
      if (!$pdu) {
        print "CLOSED\n";
        drop_client();
        next;
      }
      on_pdu($pdu);
    }
  }
}
