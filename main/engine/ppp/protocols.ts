// PPP protocol numbers carried in SSTP data packets (RFC 1661 §2, IANA PPP DLL protocol numbers).
export const PPP_LCP = 0xc021;
export const PPP_PAP = 0xc023;
export const PPP_CHAP = 0xc223;
export const PPP_EAP = 0xc227;
export const PPP_IPCP = 0x8021;
export const PPP_IPV6CP = 0x8057;
export const PPP_CCP = 0x80fd;
export const PPP_IPV4 = 0x0021;
export const PPP_IPV6 = 0x0057;

/** CHAP algorithm octets in the LCP Authentication-Protocol option (RFC 1994, RFC 2759). */
export const CHAP_MD5 = 0x05;
export const CHAP_MSCHAPV2 = 0x81;

export function protocolName(p: number): string {
  switch (p) {
    case PPP_LCP:
      return 'LCP';
    case PPP_PAP:
      return 'PAP';
    case PPP_CHAP:
      return 'CHAP';
    case PPP_EAP:
      return 'EAP';
    case PPP_IPCP:
      return 'IPCP';
    case PPP_IPV6CP:
      return 'IPV6CP';
    case PPP_CCP:
      return 'CCP';
    case PPP_IPV4:
      return 'IP';
    case PPP_IPV6:
      return 'IPV6';
    default:
      return `proto 0x${p.toString(16).padStart(4, '0')}`;
  }
}
