// Answers each proposed presentation context: Verification or a storage SOP class, in a storable transfer syntax.
import dimse from 'dcmjs-dimse';
import { chooseTransferSyntax, isStorageSopClass, isVerification } from './presentation.js';

const { PresentationContextResult: PC } = dimse.constants;

type PresentationContext = InstanceType<typeof dimse.association.PresentationContext>;

/** Sets the context's result; returns the accepted transfer syntax, undefined when refused. */
export function negotiate(context: PresentationContext, acceptPrivateSopClasses: boolean): string | undefined {
  const abstract = context.getAbstractSyntaxUid();
  if (!isVerification(abstract) && !isStorageSopClass(abstract, acceptPrivateSopClasses)) {
    context.setResult(PC.RejectAbstractSyntaxNotSupported);
    return undefined;
  }
  const ts = chooseTransferSyntax(context.getTransferSyntaxUids());
  if (!ts) {
    context.setResult(PC.RejectTransferSyntaxesNotSupported);
    return undefined;
  }
  context.setResult(PC.Accept, ts);
  return ts;
}
