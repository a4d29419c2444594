/** A gateway's templates section (drift, sync flow): the feature's only public entry. */
import './template-sync.css';
export { TemplatesSection } from './template-sync';
