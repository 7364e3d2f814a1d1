// SDP bodies as real peers send them, written from their formats (not captured), with CRLF
// unless noted. They exercise what we must parse and answer.
const crlf = (lines: string[]) => lines.join('\r\n') + '\r\n';

/** baresip 1.0 with default modules: opus, G.722, G.711, telephone-event, ssrc/label attributes. */
export const baresipOffer = crlf([
  'v=0',
  'o=- 1453474227 3187574386 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'a=tool:baresip 1.0.0',
  'm=audio 10458 RTP/AVP 96 9 0 8 101',
  'b=AS:512',
  'a=rtpmap:96 opus/48000/2',
  'a=fmtp:96 stereo=1;sprop-stereo=1',
  'a=rtpmap:9 G722/8000',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-15',
  'a=sendrecv',
  'a=label:1',
  'a=ssrc:2166733826 cname:4bfe8a92-4a0b-4f3b-a3b5-3c7b1c4bb6a9',
  'a=rtcp-rsize',
  'a=ptime:20',
]);

/** baresip with mediaenc=srtp-mand: RTP/SAVP, GCM and AES-256 lines first (which we skip), then AES_CM_128. */
export const baresipSrtpOffer = crlf([
  'v=0',
  'o=- 2990071421 1795542101 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'a=tool:baresip 1.0.0',
  'm=audio 10460 RTP/SAVP 0 8 101',
  'b=AS:80',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-15',
  'a=sendrecv',
  'a=crypto:1 AEAD_AES_256_GCM inline:Mj4rc2sMJ3tWtn2tWGsLYnQz4YpgAsLvvu4fT1DnJ1FkC9Q6eXH6W+9p3hw=',
  'a=crypto:2 AES_256_CM_HMAC_SHA1_80 inline:e2Q+Te2Q6fwNEu6ZNc3ABQIx6PsF6eI5/p6Fvc/gQ5Y7h4lxCrbTphUaZGEdYw==',
  'a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR',
  'a=crypto:4 AES_CM_128_HMAC_SHA1_32 inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj',
  'a=ptime:20',
]);

/** SIPp uac-call.xml after substitution, LF-only as some tools write it, with a trailing blank line. */
export const sippOffer = [
  'v=0',
  'o=sipp 53655765 2353687637 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 6000 RTP/AVP 0',
  'a=rtpmap:0 PCMU/8000',
  'a=ptime:20',
  'a=sendrecv',
  '',
  '',
].join('\n');

/** JsSIP (Chrome) WebRTC offer: BUNDLE, ICE, DTLS-SRTP over UDP/TLS/RTP/SAVPF, opus first, video too. */
export const jssipOffer = crlf([
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0 1',
  'a=extmap-allow-mixed',
  'a=msid-semantic: WMS 5bcb6d2a-6e6b-4ac1-94a1-3d2bd9f5f0c7',
  'm=audio 52330 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126',
  'c=IN IP4 192.168.1.20',
  'a=rtcp:9 IN IP4 0.0.0.0',
  'a=candidate:1467250027 1 udp 2122260223 192.168.1.20 52330 typ host generation 0 network-id 1',
  'a=candidate:435653019 1 tcp 1518280447 192.168.1.20 9 typ host tcptype active generation 0 network-id 1',
  'a=ice-ufrag:gKo8',
  'a=ice-pwd:W2vX6uM4rcQd1Lw0AzT5QvTn',
  'a=ice-options:trickle',
  'a=fingerprint:sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:3B:DD:8E:0B:68:12:C5:9F:4A:A1:7E:CB',
  'a=setup:actpass',
  'a=mid:0',
  'a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level',
  'a=sendrecv',
  'a=msid:5bcb6d2a-6e6b-4ac1-94a1-3d2bd9f5f0c7 0b6fe1f6-1b47-4e5e-9d0b-2e0f1c44e7a6',
  'a=rtcp-mux',
  'a=rtpmap:111 opus/48000/2',
  'a=rtcp-fb:111 transport-cc',
  'a=fmtp:111 minptime=10;useinbandfec=1',
  'a=rtpmap:63 red/48000/2',
  'a=fmtp:63 111/111',
  'a=rtpmap:9 G722/8000',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:13 CN/8000',
  'a=rtpmap:110 telephone-event/48000',
  'a=rtpmap:126 telephone-event/8000',
  'a=ssrc:3360395893 cname:Z1xUx6m0PZbL8YDk',
  'a=ssrc:3360395893 msid:5bcb6d2a-6e6b-4ac1-94a1-3d2bd9f5f0c7 0b6fe1f6-1b47-4e5e-9d0b-2e0f1c44e7a6',
  'm=video 9 UDP/TLS/RTP/SAVPF 96 97',
  'c=IN IP4 0.0.0.0',
  'a=rtcp:9 IN IP4 0.0.0.0',
  'a=ice-ufrag:gKo8',
  'a=ice-pwd:W2vX6uM4rcQd1Lw0AzT5QvTn',
  'a=fingerprint:sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:3B:DD:8E:0B:68:12:C5:9F:4A:A1:7E:CB',
  'a=setup:actpass',
  'a=mid:1',
  'a=sendrecv',
  'a=rtcp-mux',
  'a=rtcp-rsize',
  'a=rtpmap:96 VP8/90000',
  'a=rtcp-fb:96 nack',
  'a=rtpmap:97 rtx/90000',
  'a=fmtp:97 apt=96',
]);

/** A JsSIP-configured gateway-style offer we can answer: plain RTP/AVP with rtcp-mux and ICE attributes kept. */
export const jssipPlainOffer = crlf([
  'v=0',
  'o=- 8112947123917351733 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=msid-semantic: WMS',
  'm=audio 49500 RTP/AVP 111 0 8 126',
  'c=IN IP4 10.0.0.7',
  'a=rtcp:49501 IN IP4 10.0.0.7',
  'a=candidate:1 1 udp 2122260223 10.0.0.7 49500 typ host generation 0',
  'a=ice-ufrag:abcd',
  'a=ice-pwd:0123456789abcdefghijklmn',
  'a=mid:0',
  'a=sendrecv',
  'a=rtcp-mux',
  'a=rtpmap:111 opus/48000/2',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:126 telephone-event/8000',
]);

/** Asterisk / FreePBX (chan_pjsip): session-level c=, PCMA preferred, maxptime, telephone-event 0-16. */
export const asteriskOffer = crlf([
  'v=0',
  'o=- 1712345678 1712345678 IN IP4 203.0.113.10',
  's=Asterisk',
  'c=IN IP4 203.0.113.10',
  't=0 0',
  'm=audio 14588 RTP/AVP 8 0 3 101',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:3 GSM/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-16',
  'a=ptime:20',
  'a=maxptime:150',
  'a=sendrecv',
]);

/** Asterisk putting us on hold with music on hold: sendonly re-offer, same o= id, version + 1. */
export const asteriskHoldOffer = asteriskOffer
  .replace('1712345678 1712345678', '1712345678 1712345679')
  .replace('a=sendrecv', 'a=sendonly');

/** Cisco (CUCM / 79xx) style: session name SIP Call, G.729 first, old-style hold capable, no rtpmaps for static types. */
export const ciscoOffer = crlf([
  'v=0',
  'o=CiscoSystemsSIP-GW-UserAgent 7166 2381 IN IP4 198.51.100.4',
  's=SIP Call',
  'c=IN IP4 198.51.100.4',
  't=0 0',
  'm=audio 17336 RTP/AVP 18 0 8 101 19',
  'c=IN IP4 198.51.100.4',
  'a=rtpmap:18 G729/8000',
  'a=fmtp:18 annexb=no',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-15',
  'a=rtpmap:19 CN/8000',
  'a=ptime:20',
]);

/** The same Cisco peer's old-style (RFC 2543) hold re-offer: c=0.0.0.0 and no direction attribute. */
export const ciscoOldHold = ciscoOffer
  .replace('7166 2381', '7166 2382')
  .split('c=IN IP4 198.51.100.4')
  .join('c=IN IP4 0.0.0.0');

/** Polycom VVX style: best-effort SRTP (RTP/AVP with crypto), G.722 first, a=rtcp-xr, IPv6. */
export const polycomOffer = crlf([
  'v=0',
  'o=- 1619446442 1619446442 IN IP6 2001:db8::42',
  's=Polycom IP Phone',
  'c=IN IP6 2001:db8::42',
  't=0 0',
  'a=sendrecv',
  'm=audio 2222 RTP/AVP 9 102 0 8 127',
  'a=rtpmap:9 G722/8000',
  'a=rtpmap:102 G7221/16000',
  'a=fmtp:102 bitrate=32000',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:127 telephone-event/8000',
  'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj|2^31',
  'a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^31',
  'a=rtcp-xr:rcvr-rtt=all voip-metrics',
]);

/** An offer with video only: nothing for us. */
export const videoOnlyOffer = crlf([
  'v=0',
  'o=- 1 1 IN IP4 192.0.2.1',
  's=-',
  'c=IN IP4 192.0.2.1',
  't=0 0',
  'm=video 5004 RTP/AVP 96',
  'a=rtpmap:96 H264/90000',
]);

/** Audio with only wideband/other codecs: no G.711. */
export const noCommonCodecOffer = crlf([
  'v=0',
  'o=- 2 2 IN IP4 192.0.2.1',
  's=-',
  'c=IN IP4 192.0.2.1',
  't=0 0',
  'm=audio 5004 RTP/AVP 9 18',
  'a=rtpmap:9 G722/8000',
  'a=rtpmap:18 G729/8000',
]);

// Captured from baresip 1.0.0 (Debian 12 package) on loopback while writing the SRTP interop test.

/** baresip mediaenc=srtp-mand calling: RTP/SAVP, one AES_CM_128_HMAC_SHA1_80 line, minptime. */
export const baresipCapturedSrtpOffer = crlf([
  'v=0',
  'o=- 1780928906 703038056 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'a=tool:baresip 1.0.0',
  'm=audio 5986 RTP/SAVP 0 8 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-15',
  'a=sendrecv',
  'a=label:1',
  'a=rtcp-rsize',
  'a=ssrc:2764779989 cname:sip:tester@127.0.0.1:5993',
  'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:p+135WTw3uQ7NViEssp/Tl9Jm3DHpHf9um9lbShj',
  'a=minptime:20',
  'a=ptime:20',
]);

/** baresip mediaenc=srtp (best effort): RTP/AVP with a crypto line. */
export const baresipCapturedBestEffortOffer = crlf([
  'v=0',
  'o=- 3186010328 881923536 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'a=tool:baresip 1.0.0',
  'm=audio 5980 RTP/AVP 0 8 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-15',
  'a=sendrecv',
  'a=label:1',
  'a=rtcp-rsize',
  'a=ssrc:4131819017 cname:sip:tester@127.0.0.1:5993',
  'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:hlfC65rkJY8ng03ri7eLbpBOfzyeVIAcvulmiEgU',
  'a=minptime:20',
  'a=ptime:20',
]);

/** baresip's answer to our RTP/SAVP offer (PCMA first, as we offered). */
export const baresipCapturedAnswer = crlf([
  'v=0',
  'o=- 1135211157 376796012 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'a=tool:baresip 1.0.0',
  'm=audio 5982 RTP/SAVP 8 0 101',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-15',
  'a=sendrecv',
  'a=label:1',
  'a=ssrc:1225199758 cname:sip:tester@127.0.0.1:5993',
  'a=minptime:20',
  'a=ptime:20',
  'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:fRURAimASY9v7Jwwgh/crno1sWi5rHNqGxErSvvL',
]);

/** baresip's answer to our sendonly (hold) re-offer: recvonly, o= version + 1. */
export const baresipCapturedHoldAnswer = crlf([
  'v=0',
  'o=- 1135211157 376796013 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'a=tool:baresip 1.0.0',
  'm=audio 5982 RTP/SAVP 8 0 101',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-15',
  'a=recvonly',
  'a=label:1',
  'a=ssrc:1225199758 cname:sip:tester@127.0.0.1:5993',
  'a=minptime:20',
  'a=ptime:20',
  'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:fRURAimASY9v7Jwwgh/crno1sWi5rHNqGxErSvvL',
]);
