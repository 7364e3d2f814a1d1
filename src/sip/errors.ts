/** A SIP syntax or limit error, carrying the status a UAS answers with and a reason phrase that names the defect. */
export class SipError extends Error {
  constructor(
    message: string,
    /** Status a UAS would answer: 400 for syntax, 505 version, 416 URI scheme, 413/513 too large... */
    readonly status = 400,
    /** Name of the header at fault, if any. */
    readonly header?: string,
  ) {
    super(message);
  }
  override get name(): string {
    return 'SipError';
  }
}
