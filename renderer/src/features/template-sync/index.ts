/** A gateway's templates section (drift, sync flow): the feature's only public entry. */
export { TemplatesSection } from './template-sync';
